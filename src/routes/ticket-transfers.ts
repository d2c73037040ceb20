import type { Context } from "hono";
import type { z } from "zod";
import type { ShowResult } from "../contract/show-rpc.ts";
import type { TransferredTicket } from "../contract/ticket-transfer.ts";
import { invalidInput } from "../http/api-error.ts";
import type { AppEnv } from "../http/app-env.ts";
import { rememberReply, replayResponse } from "../http/idempotency.ts";
import { type JsonAnswer, respond } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { owningShowClient } from "../show-client/show-client.ts";
import { ticketKeys } from "../tickets/ticket-keys.ts";
import { ticketIdParam, transferRequest, transferResponse } from "../tickets/ticket-schemas.ts";
import { factsOf, ticketJson } from "./tickets.ts";

const transferTicket = apiRoute({
  method: "post",
  path: "/v1/tickets/{ticket_id}/transfer",
  tags: ["Tickets"],
  summary: "Give your ticket to another user before the show",
  description:
    "In one step of the show's object the ticket is reissued to `to_user_id` with a new id and token, and the old one is void (`void_reason: transferred`): its code is refused at the door at once (409 `TICKET_VOID`, `details.reason: transferred`), and offline after the door's next manifest sync. The booking, and its money, stay the buyer's: cancelling it voids the new ticket too. Another user's ticket is 404; a used one 409 `TICKET_ALREADY_USED`; a void one 409 `TICKET_VOID`; a booking's one ticket from before tickets were per seat 409 `TICKET_NOT_TRANSFERABLE`; to yourself 400; after the show started 400 `SHOW_CLOSED`. Sends `ticket.transferred`.",
  access: "owner",
  rateLimit: "booking",
  idempotencyKey: "optional",
  errors: [404, 409],
  request: { params: ticketIdParam, body: jsonRequest(transferRequest) },
  responses: { 200: jsonAnswer(transferResponse, "The new ticket, its new holder's") },
});

type TransferAnswer = JsonAnswer<z.infer<typeof transferResponse>, 200>;

/**
 * The answer with the new ticket's token, which the Worker signs (the object holds no
 * keys): the object keeps the ticket under the Idempotency-Key, and its replay is signed
 * again, to the same bytes (Ed25519 is deterministic); KV keeps the signed answer.
 */
async function transferAnswer(
  c: Context<AppEnv>,
  result: ShowResult<TransferredTicket>,
): Promise<TransferAnswer> {
  if (!result.ok) return respond(c, result, 200) as unknown as TransferAnswer;
  const { kept } = result;
  // A kept answer comes as its body alone (ShowResult).
  const read = kept ? (JSON.parse(kept.body) as TransferredTicket) : result.value;
  const ticket = await ticketJson(c.env, factsOf(read.ticket), await ticketKeys(c.env));
  const body = JSON.stringify({ ticket });
  if (kept?.replayed) return replayResponse(c, 200, body) as TransferAnswer;
  if (kept) rememberReply(c, 200, body);
  const sent: Response = c.body(body, 200, { "Content-Type": "application/json" });
  return sent as TransferAnswer;
}

export const ticketTransferRoutes = apiRouter().openapi(transferTicket, async (c) => {
  const { ticket_id } = c.req.valid("param");
  const { to_user_id } = c.req.valid("json");
  const principal = c.get("principal");
  if (to_user_id === principal.userId) {
    throw invalidInput("to_user_id", "is your own user id: a ticket goes to another user");
  }
  const show = await owningShowClient(c.env, "ticket", ticket_id);
  const result = await show.transferTicket(
    { ticketId: ticket_id, userId: principal.userId, toUserId: to_user_id },
    { requestId: c.get("requestId"), idempotency: c.get("idempotency") },
  );
  return transferAnswer(c, result);
});
