import { respond } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { owningShowClient } from "../show-client/show-client.ts";
import { resaleRequest, resaleResponse, ticketIdParam } from "../tickets/ticket-schemas.ts";

/** Face-value resale, the seller's side: listing a ticket and withdrawing it. */

const listTicket = apiRoute({
  method: "post",
  path: "/v1/tickets/{ticket_id}/resale",
  tags: ["Tickets"],
  summary: "Offer your ticket for resale at face value or less",
  description:
    "The seat reads `resale` on the seat map (compact `r`), at the listing's price, and buyers lock and book it like any seat. When a buyer's payment goes through, in one step of the show's object the buyer's booking gets the seat and a new ticket, your ticket is void (`void_reason: resold`), and you are owed a refund of the price through your own payment, made exactly once and retried until the provider confirms it; your booking lists it in `refunds` (and stays `confirmed` while it holds another seat). While listed, the ticket admits no one at the door (`listed`) and cannot be transferred. A price above what you paid for the seat is 400 `INVALID_INPUT` naming `price`; a listed ticket 409 `TICKET_LISTED`; a used one 409 `TICKET_ALREADY_USED`; a void one 409 `TICKET_VOID`; a standing place's, a transferred one, or a booking's one ticket from before tickets were per seat 409 `TICKET_NOT_RESELLABLE`; resale turned off for the show 409 `RESALE_DISABLED`; after the show started 400 `SHOW_CLOSED`. Another user's ticket is 404.",
  access: "owner",
  rateLimit: "booking",
  idempotencyKey: "optional",
  errors: [404, 409],
  request: { params: ticketIdParam, body: jsonRequest(resaleRequest) },
  responses: { 201: jsonAnswer(resaleResponse, "The listing") },
});

const withdrawListing = apiRoute({
  method: "delete",
  path: "/v1/tickets/{ticket_id}/resale",
  tags: ["Tickets"],
  summary: "Withdraw your ticket from resale",
  description:
    "The seat reads `booked` again and the ticket admits at the door again. A buyer holding the seat may be paying for it: 409 `RESALE_IN_PROGRESS` until their hold ends. A ticket of yours that is not listed (or another user's) is 404.",
  access: "owner",
  rateLimit: "booking",
  errors: [404, 409],
  request: { params: ticketIdParam },
  responses: { 200: jsonAnswer(resaleResponse, "The listing withdrawn") },
});

export const ticketResaleRoutes = apiRouter()
  .openapi(listTicket, async (c) => {
    const { ticket_id } = c.req.valid("param");
    const { price } = c.req.valid("json");
    const show = await owningShowClient(c.env, "ticket", ticket_id);
    const result = await show.listForResale(
      { ticketId: ticket_id, userId: c.get("principal").userId, price },
      { requestId: c.get("requestId"), idempotency: c.get("idempotency") },
    );
    return respond(c, result, 201);
  })
  .openapi(withdrawListing, async (c) => {
    const { ticket_id } = c.req.valid("param");
    const show = await owningShowClient(c.env, "ticket", ticket_id);
    const result = await show.withdrawResale({
      ticketId: ticket_id,
      userId: c.get("principal").userId,
    });
    return respond(c, result, 200);
  });
