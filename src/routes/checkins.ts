import { ticketInvalid, ticketWrongShow } from "../contract/ticket-failures.ts";
import { ApiError, notFound } from "../http/api-error.ts";
import { isOwnShow } from "../http/organization-scope.ts";
import { unwrap } from "../http/show-response.ts";
import { iso } from "../lib/iso-time.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { showClient } from "../show-client/show-client.ts";
import { type BatchResult, checkInOfflineScans } from "../tickets/offline-batch.ts";
import { ticketKeys } from "../tickets/ticket-keys.ts";
import {
  attendanceResponse,
  batchRequest,
  batchResponse,
  checkinRequest,
  checkinResponse,
  manifestQuery,
  manifestResponse,
  showIdParam,
} from "../tickets/ticket-schemas.ts";
import { verifyTicket } from "../tickets/ticket-token.ts";

const checkIn = apiRoute({
  method: "post",
  path: "/v1/checkins",
  tags: ["Check-in"],
  summary: "Check a ticket in at the door (admits it once)",
  description:
    "Verifies the token's signature, then the show's object admits the ticket exactly once: a second scan is 409 `TICKET_ALREADY_USED` (with `details.checked_in_at` and `details.gate`), a cancelled booking's ticket 409 `TICKET_VOID`, a ticket of another show than `show_id` 409 `TICKET_WRONG_SHOW`, a bad token 400 `TICKET_INVALID`. With a `scan_id`, the same scan retried gets the same 200. On a show whose `checkin_policy` has `reentry`, `direction` says `in` (the default) or `out`: the first `in` is the check-in, then scans alternate; `in` while inside is 409 `TICKET_ALREADY_INSIDE`, `out` while not inside 409 `TICKET_NOT_INSIDE`, and the answer carries `scan`. `out` without re-entry is 400.",
  access: "scanner, organizer (own organization) or admin",
  errors: [400, 404, 409],
  request: { body: jsonRequest(checkinRequest) },
  responses: { 200: jsonAnswer(checkinResponse, "The ticket is admitted") },
});

const checkInBatch = apiRoute({
  method: "post",
  path: "/v1/checkins/batch",
  tags: ["Check-in"],
  summary: "Sync scans made offline; each gets its own result",
  description:
    "The door's `show_id` and 1-500 scans; this route takes bodies up to 512 KiB (500 scans of real tokens with 64-character gate and device ids fit), the others 64 KiB. Each scan is `admitted`, `duplicate` (with the first scan's time, gate and device), `void` or `invalid` with a `code`: `TICKET_INVALID` (not a ticket of ours), `TICKET_WRONG_SHOW` (another show's ticket: checked in nowhere) or `INVALID_INPUT` (a `scanned_at` before the ticket was issued, or over 5 minutes ahead of the server). `scanned_at` takes any offset and fractional seconds and is read as its instant; of two scans of one ticket the earliest is the check-in, whichever device syncs first. Sending a batch again changes nothing and answers the same. 404 for an unknown `show_id`. With re-entry, each scan takes a `direction`; a ticket's scans are reconciled in `scanned_at` order with the online rules: an `in` that counts is `admitted`, an `out` that counts `exited`, one that does not fit `rejected` with `TICKET_ALREADY_INSIDE` or `TICKET_NOT_INSIDE`. Without re-entry an `out` is `invalid` (`INVALID_INPUT`).",
  access: "scanner, organizer (own organization) or admin",
  errors: [404],
  request: { body: jsonRequest(batchRequest) },
  responses: { 200: jsonAnswer(batchResponse, "One result per scan, in the order sent") },
});

const manifest = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/checkins/manifest",
  tags: ["Check-in"],
  summary: "What a door scanner needs offline: keys and the show's ticket ids by status",
  access: "scanner, organizer (own organization) or admin",
  errors: [404],
  description:
    "The show's ticket ids by status (`valid`, `void` with each one's reason in `void_reasons`, `used` with its first scan) and a `version`. With `?since=<version>` of an earlier answer, only the tickets whose status changed after it, in the same shape (`since` says which version it follows): the current version gives empty lists, one the show does not know the whole manifest (`since: null`), so a door can sync every few seconds.",
  request: { params: showIdParam, query: manifestQuery },
  responses: { 200: jsonAnswer(manifestResponse, "The manifest, with its version") },
});

const attendance = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/attendance",
  tags: ["Check-in"],
  summary: "The headcount: tickets inside now, scans in and out per gate",
  description:
    "Live from the show's object: `entered` and `exited` count the scans that counted (a ticket that comes back counts each time), `inside` the tickets whose last scan that counts is `in`. Without re-entry every check-in is an entry and nobody leaves.",
  access: "scanner, organizer (own organization) or admin",
  errors: [404],
  request: { params: showIdParam },
  responses: { 200: jsonAnswer(attendanceResponse, "The headcount") },
});

export const checkinRoutes = apiRouter()
  .openapi(checkIn, async (c) => {
    const body = c.req.valid("json");
    const verified = await verifyTicket(body.token, await ticketKeys(c.env));
    if (!verified.ok) throw ApiError.from(ticketInvalid(verified.reason));
    const { claims } = verified;
    if (body.show_id && body.show_id !== claims.show_id) {
      throw ApiError.from(ticketWrongShow(claims.ticket_id, claims.show_id, body.show_id));
    }
    // A ticket of another organization's show is not for this door.
    if (!(await isOwnShow(c, claims.show_id))) {
      throw ApiError.from(
        ticketWrongShow(claims.ticket_id, claims.show_id, body.show_id ?? "a show of yours"),
      );
    }
    const show = await showClient(c.env, claims.show_id);
    const result = await show.checkIn({
      ticketId: claims.ticket_id,
      bookingId: claims.booking_id,
      gate: body.gate ?? null,
      deviceId: `online:${c.get("principal").userId}`,
      scanId: body.scan_id ?? null,
      direction: body.direction ?? "in",
    });
    return c.json(unwrap(result), 200);
  })
  .openapi(checkInBatch, async (c) => {
    const { show_id, scans } = c.req.valid("json");
    if (!(await isOwnShow(c, show_id))) throw notFound("show", show_id);
    await showClient(c.env, show_id);
    const results: BatchResult[] = await checkInOfflineScans(c.env, show_id, scans);
    return c.json({ results }, 200);
  })
  .openapi(manifest, async (c) => {
    const { show_id } = c.req.valid("param");
    const { since } = c.req.valid("query");
    const show = await showClient(c.env, show_id);
    const read = unwrap(await show.checkinManifest(since));
    const { jwks } = await ticketKeys(c.env);
    c.header("Cache-Control", "no-store");
    return c.json({ manifest: { ...read, generated_at: iso(Date.now()), keys: jwks } }, 200);
  })
  .openapi(attendance, async (c) => {
    const { show_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    c.header("Cache-Control", "no-store");
    return c.json({ attendance: unwrap(await show.attendance()) }, 200);
  });
