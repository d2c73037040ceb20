import { createMiddleware } from "hono/factory";
import { ApiError } from "../http/api-error.ts";
import type { AppEnv } from "../http/app-env.ts";
import { showIdSchema } from "../openapi/seat-request-schemas.ts";
import { showClient } from "../show-client/show-client.ts";
import { readPass } from "./queue-tokens.ts";
import { queueSnapshot } from "./snapshot-cache.ts";

/**
 * The lock route's gate: while a show's waiting room is on, a lock needs X-Queue-Pass, a
 * pass of this user for this show, issued by its current line, that has not expired. A
 * pass of an earlier line (before the queue was turned off and on) is refused: the reset
 * started a new line, and that pass skipped it. Checked in the Worker from the
 * signed pass and the cached settings; with the queue off, nothing is asked for.
 */
export function queueGate() {
  return createMiddleware<AppEnv>(async function queueGate(c, next) {
    const showId = await showIdOf(c.req.json());
    // No show to gate: the body's validator or the route answers.
    if (!showId || !(await isShow(c.env, showId))) return next();
    const snapshot = await queueSnapshot(c.env, showId);
    if (!snapshot.enabled) return next();
    const token = c.req.header("X-Queue-Pass");
    const joinUrl = `/v1/shows/${showId}/queue/join`;
    if (!token) {
      throw new ApiError(
        403,
        "QUEUE_REQUIRED",
        "This show's sale has a waiting room: join the queue, and lock with the pass it gives you",
        { join_url: joinUrl, field: "X-Queue-Pass", reason: "required" },
      );
    }
    const pass = await readPass(token, c.env.JWT_SECRET);
    const reason = !pass
      ? "not a pass issued by this service"
      : pass.showId !== showId
        ? "issued for another show"
        : pass.userId !== c.get("principal").userId
          ? "issued to another user"
          : pass.generation !== snapshot.settings.generation
            ? "issued by an earlier waiting room of this show"
            : pass.expiresAt <= Date.now()
              ? "expired"
              : undefined;
    if (reason) {
      throw new ApiError(403, "QUEUE_PASS_INVALID", `X-Queue-Pass: ${reason}`, {
        join_url: joinUrl,
        field: "X-Queue-Pass",
        reason,
      });
    }
    await next();
  });
}

/** The body's show_id when it is well formed (the JSON guard parsed the body before). */
async function showIdOf(json: Promise<unknown>): Promise<string | undefined> {
  try {
    const body = await json;
    if (body && typeof body === "object" && "show_id" in body) {
      const parsed = showIdSchema.safeParse(body.show_id);
      return parsed.success ? parsed.data : undefined;
    }
  } catch {
    // not JSON: the validator answers
  }
  return undefined;
}

/** Whether the show exists, so no coordinator is asked about an id of no show. */
async function isShow(env: Env, showId: string): Promise<boolean> {
  try {
    await showClient(env, showId);
    return true;
  } catch (err) {
    if (err instanceof ApiError) return false;
    throw err;
  }
}
