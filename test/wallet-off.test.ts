import { describe, expect, it } from "vitest";
import { call, expectError } from "./support/helpers.ts";
import { bookedTicket } from "./support/tickets-helpers.ts";
import { getWith, walletPaths } from "./support/wallet-helpers.ts";

describe("wallet passes until their keys are configured", () => {
  it("answer 404 NOT_FOUND for a real ticket, and the page links to neither", async () => {
    const { ticket } = await bookedTicket();
    const paths = walletPaths(ticket.ticket_url);
    const google = await expectError(await call("GET", paths.google), 404, "NOT_FOUND");
    expect(google.message).toContain("Google Wallet");
    const apple = await expectError(await call("GET", paths.apple), 404, "NOT_FOUND");
    expect(apple.message).toContain("Apple Wallet");
    const page = await (await call("GET", paths.page)).text();
    expect(page).not.toContain("/wallet/");
    expect(page).not.toContain("Add to");
  });

  it("answer 500 INTERNAL when a wallet's key is set but the rest of its settings are not", async () => {
    const { ticket } = await bookedTicket();
    const paths = walletPaths(ticket.ticket_url);
    const googleKeyOnly = { GOOGLE_WALLET_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----" };
    await expectError(await getWith(paths.google, googleKeyOnly), 500, "INTERNAL");
    const appleKeyOnly = { APPLE_PASS_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----" };
    await expectError(await getWith(paths.apple, appleKeyOnly), 500, "INTERNAL");
  });
});
