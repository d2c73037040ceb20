import { z } from "zod";
import type { TicketRead } from "../contract/show-views.ts";
import { database } from "../db/database.ts";
import { notFound } from "../http/api-error.ts";
import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { listQuerySchema } from "../openapi/shared-schemas.ts";
import { owningShowClient } from "../show-client/show-client.ts";
import { type ListedTicket, TicketsD1 } from "../tickets/ticket-d1.ts";
import { type TicketKeys, ticketKeys } from "../tickets/ticket-keys.ts";
import { TICKET_PAGE_CSP, ticketPage } from "../tickets/ticket-page.ts";
import {
  jwksSchema,
  ticketIdParam,
  ticketListResponse,
  ticketResponse,
} from "../tickets/ticket-schemas.ts";
import { signTicket } from "../tickets/ticket-token.ts";
import { applePassEnabled, googleWalletEnabled } from "../tickets/wallet-config.ts";

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

const listTickets = apiRoute({
  method: "get",
  path: "/v1/tickets",
  tags: ["Tickets"],
  summary: "Your tickets, newest first, across shows",
  description:
    "One per seat of each confirmed booking (a booking confirmed before tickets were per seat: its one ticket), void ones included, each as `GET /v1/tickets/{ticket_id}` answers it. Read from the database, which follows the show within moments.",
  access: "user",
  rateLimit: "booking",
  request: { query: listQuerySchema },
  responses: { 200: jsonAnswer(ticketListResponse, "A page of tickets") },
});

/** The ticket from its show's object; 404 for an id of no show or no ticket. */
export async function readTicket(env: Env, ticketId: string): Promise<TicketRead> {
  const stub = await owningShowClient(env, "ticket", ticketId);
  return unwrap(await stub.readTicket(ticketId));
}

/**
 * What a ticket's JSON and token are made of, wherever it was read: the show object's read
 * turned into the shape D1's list gives.
 */
type TicketFacts = ListedTicket;

export function factsOf(ticket: TicketRead): TicketFacts {
  return {
    ticketId: ticket.ticket_id,
    bookingId: ticket.booking_id,
    showId: ticket.show_id,
    seatIds: ticket.seats.map((seat) => seat.seat_id),
    ...(ticket.zone && { zone: ticket.zone }),
    userId: ticket.user_id,
    status: ticket.status,
    voidReason: ticket.void_reason,
    checkedInAt: ticket.checked_in_at,
    gate: ticket.gate,
    issuedAt: ticket.issued_at,
  };
}

/** The signed token: signed at each read (deterministic, so always the same token). */
export function tokenOf(ticket: TicketFacts, keys: TicketKeys): Promise<string> {
  return signTicket(
    {
      ticket_id: ticket.ticketId,
      booking_id: ticket.bookingId,
      show_id: ticket.showId,
      seats: ticket.seatIds,
      iat: Math.floor(ticket.issuedAt / 1000),
    },
    keys,
  );
}

/** A ticket as GET /v1/tickets/{id} and the list answer it. */
export async function ticketJson(env: Env, ticket: TicketFacts, keys: TicketKeys) {
  return {
    ticket_id: ticket.ticketId,
    booking_id: ticket.bookingId,
    show_id: ticket.showId,
    seats: ticket.seatIds,
    ...(ticket.zone && { zone: ticket.zone }),
    user_id: ticket.userId,
    status: ticket.status,
    void_reason: ticket.voidReason,
    checked_in_at: ticket.checkedInAt,
    gate: ticket.gate,
    token: await tokenOf(ticket, keys),
    ticket_url: `${env.TICKET_BASE_URL.replace(/\/$/, "")}/tickets/${ticket.ticketId}`,
  };
}

export const ticketRoutes = apiRouter()
  .openapi(ticketKeysRoute, async (c) => {
    const { jwks } = await ticketKeys(c.env);
    c.header("Cache-Control", "public, max-age=300");
    return c.json({ keys: jwks }, 200);
  })
  .openapi(listTickets, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    // Only the caller's own, whatever their role: an admin reads others' one by one.
    const page = await new TicketsD1(database(c.env.DB)).listForUser(
      c.get("principal").userId,
      limit,
      cursor,
    );
    const keys = await ticketKeys(c.env);
    const list = await Promise.all(page.items.map((ticket) => ticketJson(c.env, ticket, keys)));
    return c.json({ tickets: list, next_cursor: page.nextCursor }, 200);
  })
  .openapi(getTicket, async (c) => {
    const { ticket_id } = c.req.valid("param");
    const principal = c.get("principal");
    const ticket = await readTicket(c.env, ticket_id);
    if (principal.role === "user" && ticket.user_id !== principal.userId) {
      throw notFound("ticket", ticket_id);
    }
    const json = await ticketJson(c.env, factsOf(ticket), await ticketKeys(c.env));
    return c.json({ ticket: { ...json, ...(ticket.listing && { listing: ticket.listing }) } }, 200);
  })
  .openapi(ticketPageRoute, async (c) => {
    const { ticket_id } = c.req.valid("param");
    const ticket = await readTicket(c.env, ticket_id);
    const token =
      ticket.status === "void" ? "" : await tokenOf(factsOf(ticket), await ticketKeys(c.env));
    c.header("Content-Security-Policy", TICKET_PAGE_CSP);
    // The page changes when the ticket is used or voided: never served from a cache.
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    const wallets = { google: googleWalletEnabled(c.env), apple: applePassEnabled(c.env) };
    return c.html(await ticketPage(ticket, token, wallets), 200);
  });
