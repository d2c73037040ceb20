import type { TicketRead } from "../contract/show-views.ts";
import { toBase64url } from "../lib/base64.ts";
import { pemToDer } from "../lib/pem.ts";
import { type GoogleWalletConfig, WalletConfigError } from "./wallet-config.ts";

/**
 * "Add to Google Wallet": a link to Google's save page carrying a JWT (RS256, signed with
 * the service account's key) that describes the pass. Google creates the pass from the JWT
 * alone, so nothing is registered through Google's API beforehand:
 *
 * - the JWT's claims: `iss` the service account's email, `aud` "google", `typ`
 *   "savetowallet", `iat`, and `payload` with the pass's class and object;
 * - the class (one per show: `<issuer id>.<show id>`) holds what every ticket of the show
 *   shares: the event's name, the venue, the start time, who issued it. Google creates it
 *   the first time a ticket of the show is saved and keeps it as it was then;
 * - the object (`<issuer id>.<ticket id>`) is the ticket: its seat, holder, booking and a
 *   QR code of the same signed token as the ticket page's, so the door scans either alike.
 */

export const GOOGLE_SAVE_URL = "https://pay.google.com/gp/v/save/";

const encoder = new TextEncoder();

/** Google's localized text, in the one language the ticket is written in. */
function localized(value: string) {
  return { defaultValue: { language: "en", value } };
}

/** Row and seat when the ticket admits one seat; a ticket from before admits several. */
function seatInfo(ticket: TicketRead) {
  const [only, ...others] = ticket.seats;
  if (only && others.length === 0) {
    return { row: localized(only.row), seat: localized(String(only.number)) };
  }
  return { seat: localized(ticket.seats.map((seat) => `${seat.row}${seat.number}`).join(", ")) };
}

/** The JWT's claims for `ticket`, whose signed token is `token`. */
export function saveClaims(
  ticket: TicketRead,
  token: string,
  config: GoogleWalletConfig,
  now: number,
) {
  const classId = `${config.issuerId}.${ticket.show_id}`;
  return {
    iss: config.serviceAccountEmail,
    aud: "google",
    typ: "savetowallet",
    iat: Math.floor(now / 1000),
    payload: {
      eventTicketClasses: [
        {
          id: classId,
          issuerName: config.issuerName,
          reviewStatus: "UNDER_REVIEW",
          eventName: localized(ticket.event_name),
          venue: { name: localized(ticket.venue), address: localized(ticket.venue) },
          dateTime: { start: ticket.show_time },
        },
      ],
      eventTicketObjects: [
        {
          id: `${config.issuerId}.${ticket.ticket_id}`,
          classId,
          state: "ACTIVE",
          ticketNumber: ticket.ticket_id,
          ticketHolderName: ticket.user_id,
          reservationInfo: { confirmationCode: ticket.booking_id },
          seatInfo: seatInfo(ticket),
          barcode: { type: "QR_CODE", value: token },
        },
      ],
    },
  };
}

/** Imported once per isolate for the key it runs with. */
let cached: { pem: string; key: Promise<CryptoKey> } | undefined;

function signingKey(pem: string): Promise<CryptoKey> {
  if (cached?.pem !== pem) {
    const der = pemToDer(pem, "PRIVATE KEY");
    const key = der
      ? crypto.subtle.importKey(
          "pkcs8",
          der,
          { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
          false,
          ["sign"],
        )
      : Promise.reject(
          new WalletConfigError("GOOGLE_WALLET_PRIVATE_KEY is not a PKCS#8 PEM private key"),
        );
    // A failed import is not kept: the next request tries again (and fails the same way).
    key.catch(() => {
      if (cached?.key === key) cached = undefined;
    });
    cached = { pem, key };
  }
  return cached.key;
}

/** The "Add to Google Wallet" link of `ticket`. */
export async function googleSaveUrl(
  ticket: TicketRead,
  token: string,
  config: GoogleWalletConfig,
  now = Date.now(),
): Promise<string> {
  const header = toBase64url(encoder.encode(JSON.stringify({ alg: "RS256", typ: "JWT" })));
  const claims = toBase64url(
    encoder.encode(JSON.stringify(saveClaims(ticket, token, config, now))),
  );
  const input = `${header}.${claims}`;
  let key: CryptoKey;
  try {
    key = await signingKey(config.privateKeyPem);
  } catch (error) {
    if (error instanceof WalletConfigError) throw error;
    // WebCrypto's own message says nothing of which setting it was.
    throw new WalletConfigError("GOOGLE_WALLET_PRIVATE_KEY is not an RSA private key");
  }
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, encoder.encode(input));
  return `${GOOGLE_SAVE_URL}${input}.${toBase64url(new Uint8Array(signature))}`;
}
