import { zipSync } from "fflate";
import type { TicketRead } from "../contract/show-views.ts";
import { passIcons } from "./pass-icon.ts";
import { passSigner, signManifest } from "./pass-signature.ts";
import type { ApplePassConfig } from "./wallet-config.ts";

/**
 * "Add to Apple Wallet": the ticket as a .pkpass, a zip of
 *
 * - pass.json: an event ticket whose serial number is the ticket id and whose QR code is the
 *   same signed token as the ticket page's, so the door scans either alike;
 * - the icons (pass-icon.ts);
 * - manifest.json: each other file's SHA-1, in hex, by name (the hash Apple's format names);
 * - signature: the detached CMS signature of manifest.json (pass-signature.ts).
 *
 * Built in the Worker at each request: a pass holds nothing a ticket read does not.
 */

export const PKPASS_MEDIA_TYPE = "application/vnd.apple.pkpass";

const encoder = new TextEncoder();

/** A ticket pass's pass.json. */
export function passJson(ticket: TicketRead, token: string, config: ApplePassConfig) {
  const seats = ticket.seats.map((seat) => `${seat.row}${seat.number}`).join(", ");
  return {
    formatVersion: 1,
    passTypeIdentifier: config.passTypeId,
    teamIdentifier: config.teamId,
    organizationName: config.organizationName,
    serialNumber: ticket.ticket_id,
    description: `Ticket: ${ticket.event_name}`,
    relevantDate: ticket.show_time,
    // A copy shared from the wallet would be a second pass of the same one-entry ticket.
    sharingProhibited: true,
    backgroundColor: "rgb(24,24,27)",
    foregroundColor: "rgb(255,255,255)",
    labelColor: "rgb(161,161,170)",
    barcodes: [{ format: "PKBarcodeFormatQR", message: token, messageEncoding: "iso-8859-1" }],
    eventTicket: {
      primaryFields: [{ key: "event", label: "EVENT", value: ticket.event_name }],
      secondaryFields: [
        {
          key: "time",
          label: "SHOW TIME",
          value: ticket.show_time,
          dateStyle: "PKDateStyleMedium",
          timeStyle: "PKDateStyleShort",
        },
        { key: "seats", label: "SEATS", value: seats },
      ],
      auxiliaryFields: [{ key: "venue", label: "VENUE", value: ticket.venue }],
      backFields: [
        { key: "holder", label: "Holder", value: ticket.user_id },
        { key: "booking", label: "Booking", value: ticket.booking_id },
        { key: "ticket", label: "Ticket", value: ticket.ticket_id },
      ],
    },
  };
}

async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The .pkpass of `ticket`, whose signed token is `token`: the zip's bytes. */
export async function applePass(
  ticket: TicketRead,
  token: string,
  config: ApplePassConfig,
  now = new Date(),
): Promise<Uint8Array> {
  const signer = await passSigner(config);
  const files: Record<string, Uint8Array> = {
    "pass.json": encoder.encode(JSON.stringify(passJson(ticket, token, config))),
  };
  for (const [name, bytes] of Object.entries(passIcons())) files[name] = bytes;
  const manifest: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) manifest[name] = await sha1Hex(bytes);
  const manifestBytes = encoder.encode(JSON.stringify(manifest));
  const signature = await signManifest(manifestBytes, signer, now);
  return zipSync({ ...files, "manifest.json": manifestBytes, signature });
}
