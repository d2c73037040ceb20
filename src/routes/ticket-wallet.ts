import { z } from "zod";
import type { TicketRead } from "../contract/show-views.ts";
import { ticketVoid } from "../contract/ticket-failures.ts";
import { ApiError } from "../http/api-error.ts";
import { apiRoute, apiRouter } from "../openapi/api-route.ts";
import { applePass, PKPASS_MEDIA_TYPE } from "../tickets/apple-pass.ts";
import { googleSaveUrl } from "../tickets/google-wallet.ts";
import { ticketKeys } from "../tickets/ticket-keys.ts";
import { ticketIdParam } from "../tickets/ticket-schemas.ts";
import { applePassConfig, googleWalletConfig } from "../tickets/wallet-config.ts";
import { factsOf, readTicket, tokenOf } from "./tickets.ts";

/**
 * The ticket in a phone's wallet, beside the ticket page and under the same rule: the
 * unguessable ticket id is the only key (no token), as the page's links must work from an
 * emailed URL. Each wallet is off (404) until its keys are configured (wallet-config.ts).
 */

const OFF_DESCRIPTION =
  "404 `NOT_FOUND` while this wallet is not configured (as for an unknown ticket); 409 `TICKET_VOID` for a void ticket, which gets no pass.";

const googleWalletRoute = apiRoute({
  method: "get",
  path: "/tickets/{ticket_id}/wallet/google",
  tags: ["Tickets"],
  summary: "Add the ticket to Google Wallet (a redirect to Google's save link)",
  description: `Answers 302 to \`https://pay.google.com/gp/v/save/<jwt>\`: an RS256 JWT, signed with the configured service account's key, of the show's event ticket class and the ticket's object, whose QR code is the ticket's signed token. ${OFF_DESCRIPTION}`,
  access: "public",
  rateLimit: "catalog",
  errors: [404, 409],
  request: { params: ticketIdParam },
  responses: {
    302: {
      description: "To Google Wallet's save page (Location)",
      headers: z.object({ Location: z.string().meta({ description: "The save link" }) }),
    },
  },
});

const appleWalletRoute = apiRoute({
  method: "get",
  path: "/tickets/{ticket_id}/wallet/apple",
  tags: ["Tickets"],
  summary: "The ticket as an Apple Wallet pass (.pkpass)",
  description: `A signed .pkpass (a zip of pass.json, icons, manifest.json and its detached PKCS#7 signature made with the configured pass certificate), whose QR code is the ticket's signed token. ${OFF_DESCRIPTION}`,
  access: "public",
  rateLimit: "catalog",
  errors: [404, 409],
  request: { params: ticketIdParam },
  responses: {
    200: {
      description: "The pass",
      content: { [PKPASS_MEDIA_TYPE]: { schema: z.string().meta({ format: "binary" }) } },
    },
  },
});

/** 404 while a wallet is off: said as an unknown route would be, naming the wallet. */
function walletOff(wallet: string): ApiError {
  return new ApiError(404, "NOT_FOUND", `${wallet} passes are not available here`);
}

/** The ticket and its signed token; 409 TICKET_VOID for a void ticket (no pass for it). */
async function passableTicket(env: Env, ticketId: string): Promise<[TicketRead, string]> {
  const ticket = await readTicket(env, ticketId);
  if (ticket.status === "void") {
    const reason = ticket.void_reason ?? "cancelled";
    throw ApiError.from(ticketVoid(ticketId, { reason, detail: `it was ${reason}` }));
  }
  return [ticket, await tokenOf(factsOf(ticket), await ticketKeys(env))];
}

export const ticketWalletRoutes = apiRouter()
  .openapi(googleWalletRoute, async (c) => {
    const config = googleWalletConfig(c.env);
    if (!config) throw walletOff("Google Wallet");
    const [ticket, token] = await passableTicket(c.env, c.req.valid("param").ticket_id);
    // The link carries the token: it is made anew at each visit, never kept by a cache.
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    return c.redirect(await googleSaveUrl(ticket, token, config), 302);
  })
  .openapi(appleWalletRoute, async (c) => {
    const config = applePassConfig(c.env);
    if (!config) throw walletOff("Apple Wallet");
    const [ticket, token] = await passableTicket(c.env, c.req.valid("param").ticket_id);
    const pass = await applePass(ticket, token, config);
    c.header("Content-Type", PKPASS_MEDIA_TYPE);
    c.header("Content-Disposition", `attachment; filename="${ticket.ticket_id}.pkpass"`);
    c.header("Cache-Control", "no-store");
    return c.body(new Uint8Array(pass), 200);
  });
