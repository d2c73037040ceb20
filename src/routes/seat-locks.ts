import { Hono } from "hono";
import type { AppEnv } from "../http/app-env.ts";
import { authenticate } from "../http/authenticate.ts";
import { idempotency } from "../http/idempotency.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { respond, unwrap } from "../http/show-response.ts";
import { jsonBody, pathParams } from "../http/validation.ts";
import { forgetSeatMap } from "../show-client/seat-map-cache.ts";
import { lockIdParam, lockRequestSchema } from "../show-client/seat-schemas.ts";
import { existingShow, owningShowStub } from "../show-client/show-stub.ts";

export const seatLockRoutes = new Hono<AppEnv>()
  .post(
    "/lock",
    authenticate(),
    rateLimit("seat_selection"),
    jsonBody(lockRequestSchema),
    idempotency("POST /v1/seats/lock", { required: false }),
    async (c) => {
      const body = c.req.valid("json");
      const selection = body.seat_ids
        ? { seatIds: body.seat_ids }
        : { quantity: body.quantity ?? 1, zone: body.zone };
      const show = await existingShow(c.env, body.show_id);
      const reply = await show.lock(
        {
          userId: c.get("principal").userId,
          durationSeconds: body.lock_duration_seconds,
          selection,
        },
        { requestId: c.get("requestId"), idempotency: c.get("idempotency") },
      );
      forgetSeatMap(body.show_id);
      return respond(c, reply);
    },
  )
  .get(
    "/lock/:lock_id",
    authenticate(),
    rateLimit("seat_selection"),
    pathParams(lockIdParam),
    async (c) => {
      const { lock_id } = c.req.valid("param");
      const { stub } = await owningShowStub(c.env, "lock", lock_id);
      const lock = unwrap(await stub.getLock(lock_id, c.get("principal").userId));
      return c.json(lock);
    },
  )
  .delete(
    "/lock/:lock_id",
    authenticate(),
    rateLimit("seat_selection"),
    pathParams(lockIdParam),
    async (c) => {
      const { lock_id } = c.req.valid("param");
      const { showId, stub } = await owningShowStub(c.env, "lock", lock_id);
      const lock = unwrap(await stub.releaseLock(lock_id, c.get("principal").userId));
      forgetSeatMap(showId);
      return c.json(lock);
    },
  );
