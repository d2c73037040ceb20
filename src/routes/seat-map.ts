import { Hono } from "hono";
import { z } from "zod";
import { ApiError } from "../http/api-error.ts";
import type { AppEnv } from "../http/app-env.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { unwrap } from "../http/show-response.ts";
import { pathParams } from "../http/validation.ts";
import {
  beginSeatMapRead,
  cacheMs,
  freshSeatMap,
  lastSeatMap,
  rememberSeatMap,
} from "../show-client/seat-map-cache.ts";
import { showIdSchema } from "../show-client/seat-schemas.ts";
import { existingShow, refusedUpgrade } from "../show-client/show-stub.ts";

const showParam = z.object({ show_id: showIdSchema });

const etagOf = (version: number) => `"v${version}"`;

/** The version named by If-None-Match (`"v12"` or `W/"v12"`), if any. */
function knownVersion(ifNoneMatch: string | undefined): number | undefined {
  const match = ifNoneMatch ? /"v(\d{1,15})"/.exec(ifNoneMatch) : null;
  return match?.[1] ? Number(match[1]) : undefined;
}

export const seatMapRoutes = new Hono<AppEnv>()
  .get("/:show_id/seats", rateLimit("seat_map"), pathParams(showParam), async (c) => {
    const { show_id } = c.req.valid("param");
    const now = Date.now();
    let map = freshSeatMap(show_id, now);
    if (!map) {
      const startedAt = beginSeatMapRead();
      const last = lastSeatMap(show_id);
      const show = await existingShow(c.env, show_id);
      const read = unwrap(await show.seatMap(last?.version));
      const json = read.json ?? last?.json;
      if (json === undefined)
        throw new Error("the show object sent no seat map for an unknown version");
      map = rememberSeatMap(
        show_id,
        { version: read.version, json, changesBy: read.changesBy },
        { startedAt, now, ttlMs: cacheMs(c.env) },
      );
    }
    const headers = { ETag: etagOf(map.version), "Cache-Control": "no-cache" };
    if (knownVersion(c.req.header("If-None-Match")) === map.version)
      return c.body(null, 304, headers);
    return c.body(map.body, 200, { ...headers, "Content-Type": "application/json" });
  })
  .get("/:show_id/seats/live", rateLimit("seat_map"), pathParams(showParam), async (c) => {
    const { show_id } = c.req.valid("param");
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "UPGRADE_REQUIRED", "This endpoint speaks WebSocket only", {
        field: "Upgrade",
        reason: "expected 'websocket'",
      });
    }
    const show = await existingShow(c.env, show_id);
    const response = await show.fetch(
      new Request(c.req.url, { headers: c.req.raw.headers, method: "GET" }),
    );
    if (response.status !== 101) throw await refusedUpgrade(response, show_id);
    return response;
  });
