import { z } from "zod";
import type { TicketRead } from "../contract/show-views.ts";
import { notFound } from "../http/api-error.ts";
import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { owningShowClient } from "../show-client/show-client.ts";
import { ticketKeys } from "../tickets/ticket-keys.ts";
import { TICKET_PAGE_CSP, ticketPage } from "../tickets/ticket-page.ts";
import { jwksSchema, ticketIdParam, ticketResponse } from "../tickets/ticket-schemas.ts";
import { signTicket } from "../tickets/ticket-token.ts";

const ticketKeysRoute = apiRoute({
  method: "get",
  path: "/v1/tickets/keys",
  tags: ["Tickets"],
  summary: "The public keys of ticket tokens (JWKS)",
  description:
    "Ed25519 public keys (`kty: OKP`, `crv: Ed25519`), by `kid`: the current key and those retired by a rotation. A door scanner keeps them to verify ticket tokens offline.",
  access: "public",
  rateLimit: "catalog",
  responses: { 200: jsonAnswer(jwksSchema, "The key set") },
});

const getTicket = apiRoute({
  method: "get",
  path: "/v1/tickets/{ticket_id}",
  tags: ["Tickets"],
  summary: "A ticket with its status and signed token",
  access: "owner, scanner, organizer (own organization) or admin",
  rateLimit: "booking",
  errors: [404],
  request: { params: ticketIdParam },
  responses: { 200: jsonAnswer(ticketResponse, "The ticket") },
});

const ticketPageRoute = apiRoute({
  method: "get",
  path: "/tickets/{ticket_id}",
  tags: ["Tickets"],
  summary: "The ticket page (HTML) with its QR code",
  description:
    "The page `ticket_url` links to: event, show time, venue, seats, holder, status and a QR code of the signed token; a void ticket shows VOID and no code. The unguessable ticket id (130 random bits) is its only key.",
  access: "public",
  rateLimit: "catalog",
  errors: [404],
  request: { params: ticketIdParam },
  responses: {
    200: { description: "The ticket page", content: { "text/html": { schema: z.string() } } },
  },
});

/** The ticket from its show's object; 404 for an id of no show or no ticket. */
async function readTicket(env: Env, ticketId: string): Promise<TicketRead> {
  const stub = await owningShowClient(env, "ticket", ticketId);
  return unwrap(await stub.readTicket(ticketId));
}

function tokenFor(env: Env, ticket: TicketRead): Promise<string> {
  return ticketKeys(env).then((keys) =>
    signTicket(
      {
        ticket_id: ticket.ticket_id,
        booking_id: ticket.booking_id,
        show_id: ticket.show_id,
        seats: ticket.seats.map((seat) => seat.seat_id),
        iat: Math.floor(ticket.issued_at / 1000),
      },
      keys,
    ),
  );
}

export const ticketRoutes = apiRouter()
  .openapi(ticketKeysRoute, async (c) => {
    const { jwks } = await ticketKeys(c.env);
    c.header("Cache-Control", "public, max-age=300");
    return c.json({ keys: jwks }, 200);
  })
  .openapi(getTicket, async (c) => {
    const { ticket_id } = c.req.valid("param");
    const principal = c.get("principal");
    const ticket = await readTicket(c.env, ticket_id);
    if (principal.role === "user" && ticket.user_id !== principal.userId) {
      throw notFound("ticket", ticket_id);
    }
    const base = c.env.TICKET_BASE_URL.replace(/\/$/, "");
    return c.json(
      {
        ticket: {
          ticket_id: ticket.ticket_id,
          booking_id: ticket.booking_id,
          show_id: ticket.show_id,
          seats: ticket.seats.map((seat) => seat.seat_id),
          user_id: ticket.user_id,
          status: ticket.status,
          checked_in_at: ticket.checked_in_at,
          gate: ticket.gate,
          token: await tokenFor(c.env, ticket),
          ticket_url: `${base}/tickets/${ticket.ticket_id}`,
        },
      },
      200,
    );
  })
  .openapi(ticketPageRoute, async (c) => {
    const { ticket_id } = c.req.valid("param");
    const ticket = await readTicket(c.env, ticket_id);
    const token = ticket.status === "void" ? "" : await tokenFor(c.env, ticket);
    c.header("Content-Security-Policy", TICKET_PAGE_CSP);
    // The page changes when the ticket is used or voided: never served from a cache.
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    return c.html(await ticketPage(ticket, token), 200);
  });
