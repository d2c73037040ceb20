import { Hono } from "hono";
import { notFound } from "../http/api-error.ts";
import type { AppEnv } from "../http/app-env.ts";
import { authenticate } from "../http/authenticate.ts";
import { jsonBody, pathParams } from "../http/validation.ts";
import { showIdOfLock } from "../show/lock-ids.ts";
import { lockIdParam, lockRequestSchema } from "../show/seat-schemas.ts";
import { showStub, unwrap } from "../show/show-client.ts";

export const seatLockRoutes = new Hono<AppEnv>()
  .post("/lock", authenticate(), jsonBody(lockRequestSchema), async (c) => {
    const body = c.req.valid("json");
    const selection = body.seat_ids
      ? { seatIds: body.seat_ids }
      : { quantity: body.quantity ?? 1, zone: body.zone };
    const lock = unwrap(
      await showStub(c.env, body.show_id).lock(body.show_id, {
        userId: c.get("principal").userId,
        durationSeconds: body.lock_duration_seconds,
        selection,
      }),
    );
    // api-design.md's lock response; the status shows in GET.
    const { status: _status, ...response } = lock;
    return c.json(response, 200);
  })
  .get("/lock/:lock_id", authenticate(), pathParams(lockIdParam), async (c) => {
    const { lock_id } = c.req.valid("param");
    const showId = showIdOfLock(lock_id);
    if (!showId) throw notFound("lock", lock_id);
    const lock = unwrap(
      await showStub(c.env, showId).getLock(showId, lock_id, c.get("principal").userId),
    );
    return c.json(lock);
  })
  .delete("/lock/:lock_id", authenticate(), pathParams(lockIdParam), async (c) => {
    const { lock_id } = c.req.valid("param");
    const showId = showIdOfLock(lock_id);
    if (!showId) throw notFound("lock", lock_id);
    const lock = unwrap(
      await showStub(c.env, showId).releaseLock(showId, lock_id, c.get("principal").userId),
    );
    return c.json(lock);
  });
