import { env } from "cloudflare:workers";
import { CompactSign, compactVerify, createLocalJWKSet, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import { bookedTicket, checkIn, scannerToken } from "./support/tickets-helpers.ts";

/** The private half of the retired test key in TICKET_PREVIOUS_KEYS (vitest.config.ts). */
const RETIRED_PRIVATE_JWK = {
  crv: "Ed25519",
  d: "4iQDQNf9CHwli_kVn5ZElscdXGbWScvzm1qRsNKkzEA",
  x: "0d4P0P-XOyhXMVpzNIiGCu6dEsn-CtPvugnqtyAp6v0",
  kty: "OKP",
};

async function publishedKeys() {
  const res = await call("GET", "/v1/tickets/keys");
  expect(res.status).toBe(200);
  return (await res.json()) as { keys: { kid: string; kty: string; crv: string; x: string }[] };
}

function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const decoded = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/")));
  const changed = btoa(JSON.stringify({ ...decoded, ...claims }))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return `${header}.${changed}.${signature}`;
}

describe("ticket tokens", () => {
  it("publishes the current and the retired key as an Ed25519 JWKS", async () => {
    const { keys } = await publishedKeys();
    expect(keys.map((k) => k.kid)).toEqual(["test-2026", "test-old"]);
    for (const key of keys) expect(key).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    expect(JSON.stringify(keys)).not.toContain('"d"');
  });

  it("verifies with the published JWKS using jose, and carries the ticket's claims", async () => {
    const { ticket, showId, seats, bookingId } = await bookedTicket();
    const jwks = createLocalJWKSet(await publishedKeys());
    const { payload, protectedHeader } = await compactVerify(ticket.token, jwks);
    expect(protectedHeader).toMatchObject({ alg: "EdDSA", kid: "test-2026" });
    const claims = JSON.parse(new TextDecoder().decode(payload));
    expect(claims).toMatchObject({
      ticket_id: ticket.ticket_id,
      booking_id: bookingId,
      show_id: showId,
      // One seat per ticket: the first seat's.
      seats: seats.slice(0, 1),
    });
    expect(claims.iat).toBeTypeOf("number");
  });

  it("fails verification once a claim is tampered with", async () => {
    const { ticket } = await bookedTicket();
    const jwks = createLocalJWKSet(await publishedKeys());
    const forged = tamper(ticket.token, { seats: ["some-other-seat"] });
    await expect(compactVerify(forged, jwks)).rejects.toThrow();
    const error = await expectError(
      await checkIn(await scannerToken(), { token: forged }),
      400,
      "TICKET_INVALID",
    );
    expect(error.details?.field).toBe("token");
  });

  it("gives ticket ids at least 128 bits of randomness and a URL on this Worker", async () => {
    const { ticket } = await bookedTicket();
    const random = /^ticket_([0-9a-z]+)_/.exec(ticket.ticket_id)?.[1] ?? "";
    expect(random.length * 5).toBeGreaterThanOrEqual(128);
    expect(ticket.ticket_url).toBe(
      `${env.TICKET_BASE_URL.replace(/\/$/, "")}/tickets/${ticket.ticket_id}`,
    );
  });

  it("still admits a ticket signed with a retired key, and refuses an unknown kid", async () => {
    const { ticket } = await bookedTicket();
    const { payload } = await compactVerify(ticket.token, createLocalJWKSet(await publishedKeys()));
    const resign = async (kid: string) =>
      new CompactSign(payload)
        .setProtectedHeader({ alg: "EdDSA", kid })
        .sign(await importJWK(RETIRED_PRIVATE_JWK, "EdDSA"));
    const scanner = await scannerToken();
    const unknown = await checkIn(scanner, { token: await resign("not-a-key") });
    expect((await expectError(unknown, 400, "TICKET_INVALID")).details?.reason).toMatch(
      /unknown key/,
    );
    const retired = await checkIn(scanner, { token: await resign("test-old") });
    expect(retired.status).toBe(200);
  });
});
