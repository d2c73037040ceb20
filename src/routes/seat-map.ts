import { z } from "zod";
import { ApiError } from "../http/api-error.ts";
import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { seatMapSchema } from "../openapi/response-schemas.ts";
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

const getSeatMap = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/seats",
  tags: ["Seats"],
  summary: "Seat map",
  description:
    "Statuses are live; `ETag` carries the version, and `If-None-Match` with it answers 304.",
  access: "public",
  rateLimit: "seat_map",
  errors: [404],
  request: {
    params: showParam,
    headers: z.object({ "If-None-Match": z.string().max(256).optional() }),
  },
  responses: {
    200: jsonAnswer(seatMapSchema, "The seat map"),
    304: { description: "Unchanged since the ETag given in If-None-Match" },
  },
});

const watchSeatMap = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/seats/live",
  tags: ["Seats"],
  summary: "Live seat map (WebSocket)",
  description:
    "Upgrade to WebSocket. First a `snapshot` message (the seat map with `type`), then `seats` messages with `from_version`, `version` and the changed seats. Send `ping` for `pong`, `resync` for a fresh snapshot (at most one a second; extra resyncs are coalesced). A viewer that keeps sending anything else is closed with 1008. Past the show's cap on viewers (`VIEWERS_PER_SHOW`), 503 `VIEWERS_LIMIT_REACHED`.",
  access: "public",
  rateLimit: "seat_map",
  errors: [404, 426, 503],
  request: { params: showParam },
  responses: { 101: { description: "Switching to WebSocket" } },
});

export const seatMapRoutes = apiRouter()
  .openapi(getSeatMap, async (c) => {
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
  .openapi(watchSeatMap, async (c) => {
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
