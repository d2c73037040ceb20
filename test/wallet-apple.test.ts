import { unzipSync } from "fflate";
import { ContentInfo, SignedData } from "pkijs";
import { beforeAll, describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import { bookedTicket } from "./support/tickets-helpers.ts";
import { getWith, testPassCredentials, walletPaths } from "./support/wallet-helpers.ts";

let apple: Awaited<ReturnType<typeof testPassCredentials>>;
beforeAll(async () => {
  apple = await testPassCredentials();
});

const decoder = new TextDecoder();

async function sha1Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-1", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The pass of a new ticket, unzipped. */
async function passOfNewTicket() {
  const booked = await bookedTicket();
  const res = await getWith(walletPaths(booked.ticket.ticket_url).apple, apple.vars);
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("application/vnd.apple.pkpass");
  expect(res.headers.get("Content-Disposition")).toBe(
    `attachment; filename="${booked.ticket.ticket_id}.pkpass"`,
  );
  const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
  return { ...booked, files };
}

/**
 * Whether `signature` is a valid signature of `content` by the pass certificate, whose chain
 * leads to the test WWDR. PKI.js throws for a digest that does not match: that is a no.
 */
async function verifies(signature: Uint8Array, content: Uint8Array): Promise<boolean> {
  const signed = new SignedData({ schema: ContentInfo.fromBER(signature).content });
  try {
    const result = await signed.verify({
      signer: 0,
      // PKI.js wants the bytes as an ArrayBuffer of their own.
      data: content.slice().buffer,
      trustedCerts: [apple.wwdr],
      checkChain: true,
      extendedMode: true,
    });
    return result.signatureVerified === true && result.signerCertificateVerified === true;
  } catch {
    return false;
  }
}

describe("GET /tickets/{ticket_id}/wallet/apple", () => {
  it("answers a .pkpass whose pass.json is the ticket with its signed token as the QR code", async () => {
    const { files, ticket, bookingId, user } = await passOfNewTicket();
    expect(Object.keys(files).sort()).toEqual([
      "icon.png",
      "icon@2x.png",
      "icon@3x.png",
      "manifest.json",
      "pass.json",
      "signature",
    ]);
    const pass = JSON.parse(decoder.decode(files["pass.json"]));
    expect(pass).toMatchObject({
      formatVersion: 1,
      passTypeIdentifier: "pass.com.example.tickets",
      teamIdentifier: "TEAM123456",
      organizationName: "Test Tickets",
      serialNumber: ticket.ticket_id,
      barcodes: [
        { format: "PKBarcodeFormatQR", message: ticket.token, messageEncoding: "iso-8859-1" },
      ],
      eventTicket: {
        primaryFields: [{ key: "event", value: "Avengers: Endgame" }],
        secondaryFields: [{ key: "time" }, { key: "seats", value: "A1" }],
        auxiliaryFields: [{ key: "venue", value: "PVR Cinemas" }],
      },
    });
    expect(pass.eventTicket.backFields).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: "holder", value: user }),
        expect.objectContaining({ key: "booking", value: bookingId }),
      ]),
    );
    // Each icon is a PNG (its signature bytes).
    expect(Array.from(files["icon.png"]?.subarray(0, 4) ?? [])).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it("lists every other file's SHA-1 in manifest.json", async () => {
    const { files } = await passOfNewTicket();
    const manifest = JSON.parse(decoder.decode(files["manifest.json"])) as Record<string, string>;
    const listed = Object.keys(files).filter(
      (name) => !["manifest.json", "signature"].includes(name),
    );
    expect(Object.keys(manifest).sort()).toEqual(listed.sort());
    for (const name of listed) {
      expect(manifest[name], name).toBe(await sha1Hex(files[name] ?? new Uint8Array()));
    }
  });

  it("signs manifest.json with the pass certificate, carrying it and the intermediate, and a signing time", async () => {
    const { files } = await passOfNewTicket();
    const signature = files.signature ?? new Uint8Array();
    const manifest = files["manifest.json"] ?? new Uint8Array();
    expect(await verifies(signature, manifest)).toBe(true);
    // The signature is of manifest.json: another manifest does not verify.
    const altered = new TextEncoder().encode(
      decoder.decode(manifest).replace(/[0-9a-f]{40}/, "0".repeat(40)),
    );
    expect(await verifies(signature, altered)).toBe(false);
    const signed = new SignedData({ schema: ContentInfo.fromBER(signature).content });
    // Detached: manifest.json is not inside the signature.
    expect(signed.encapContentInfo.eContent).toBeUndefined();
    const serials = (signed.certificates ?? []).map((cert) =>
      "serialNumber" in cert ? cert.serialNumber.valueBlock.valueDec : -1,
    );
    expect(serials.sort()).toEqual([1, 2]);
    const attributes = signed.signerInfos[0]?.signedAttrs?.attributes.map((attr) => attr.type);
    expect(attributes).toContain("1.2.840.113549.1.9.5"); // signingTime
  });

  it("answers 409 TICKET_VOID for a cancelled booking's ticket, and the page links to the pass only while it is valid", async () => {
    const { ticket, token, bookingId } = await bookedTicket();
    const paths = walletPaths(ticket.ticket_url);
    const page = await (await getWith(paths.page, apple.vars)).text();
    expect(page).toContain(`<a href="${paths.apple}">Add to Apple Wallet</a>`);
    expect(page).not.toContain("Add to Google Wallet");
    const cancel = await call("POST", `/v1/bookings/${bookingId}/cancel`, { token });
    expect(cancel.status).toBe(200);
    await expectError(await getWith(paths.apple, apple.vars), 409, "TICKET_VOID");
    expect(await (await getWith(paths.page, apple.vars)).text()).not.toContain("Apple Wallet");
  });
});
