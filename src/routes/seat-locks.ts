import { respond, unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { lockSchema, lockWithStatusSchema } from "../openapi/booking-response-schemas.ts";
import { lockIdParam, lockRequestSchema } from "../openapi/seat-request-schemas.ts";
import { queueGate } from "../queue/queue-gate.ts";
import { queuePassHeaders } from "../queue/queue-schemas.ts";
import { accessCodeHash } from "../sales/access-code-hash.ts";
import { owningShowClient, showClient } from "../show-client/show-client.ts";

const lockSeats = apiRoute({
  method: "post",
  path: "/v1/seats/lock",
  tags: ["Seats"],
  summary: "Lock seats (explicit or best available), all or nothing",
  access: "user",
  rateLimit: "seat_selection",
  idempotencyKey: "optional",
  errors: [403, 404],
  guards: [queueGate()],
  request: { headers: queuePassHeaders, body: jsonRequest(lockRequestSchema) },
  responses: { 200: jsonAnswer(lockSchema, "The lock") },
});

const getLock = apiRoute({
  method: "get",
  path: "/v1/seats/lock/{lock_id}",
  tags: ["Seats"],
  summary: "Get your lock",
  access: "owner",
  rateLimit: "seat_selection",
  errors: [404],
  request: { params: lockIdParam },
  responses: { 200: jsonAnswer(lockWithStatusSchema, "The lock and its status") },
});

const releaseLock = apiRoute({
  method: "delete",
  path: "/v1/seats/lock/{lock_id}",
  tags: ["Seats"],
  summary: "Release your lock early (idempotent)",
  access: "owner",
  rateLimit: "seat_selection",
  errors: [404, 409],
  request: { params: lockIdParam },
  responses: { 200: jsonAnswer(lockWithStatusSchema, "The lock and its status") },
});

export const seatLockRoutes = apiRouter()
  .openapi(lockSeats, async (c) => {
    const body = c.req.valid("json");
    const selection = body.seat_ids
      ? { seatIds: body.seat_ids }
      : body.accessible
        ? { accessible: body.accessible, zone: body.zone }
        : body.quantity !== undefined
          ? { quantity: body.quantity, zone: body.zone }
          : { seatIds: [] };
    const show = await showClient(c.env, body.show_id);
    const reply = await show.lock(
      {
        userId: c.get("principal").userId,
        durationSeconds: body.lock_duration_seconds,
        selection,
        areas: body.areas,
        accessCodeHash: body.access_code
          ? await accessCodeHash(body.show_id, body.access_code)
          : undefined,
      },
      { requestId: c.get("requestId"), idempotency: c.get("idempotency") },
    );
    return respond(c, reply, 200);
  })
  .openapi(getLock, async (c) => {
    const { lock_id } = c.req.valid("param");
    const stub = await owningShowClient(c.env, "lock", lock_id);
    const lock = unwrap(await stub.getLock(lock_id, c.get("principal").userId));
    return c.json(lock, 200);
  })
  .openapi(releaseLock, async (c) => {
    const { lock_id } = c.req.valid("param");
    const stub = await owningShowClient(c.env, "lock", lock_id);
    const lock = unwrap(await stub.releaseLock(lock_id, c.get("principal").userId));
    return c.json(lock, 200);
  });
