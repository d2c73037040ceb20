import type { Context } from "hono";
import { z } from "zod";
import { zoneNameSchema } from "../catalog/catalog-schemas.ts";
import type { AppEnv } from "../http/app-env.ts";
import { unwrap } from "../http/show-response.ts";
import { etagOf, knownVersion } from "../http/version-etag.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { seatMapSchema, seatStatusSchema } from "../openapi/response-schemas.ts";
import { showIdSchema } from "../openapi/seat-request-schemas.ts";
import {
  beginSeatMapRead,
  cacheMs,
  freshSeatMap,
  lastSeatMap,
  type ReadKind,
  rememberSeatMap,
} from "../show-client/seat-map-cache.ts";
import { showClient } from "../show-client/show-client.ts";

export const showParam = z.object({ show_id: showIdSchema });
/** The conditional-read header of the versioned and cacheable reads (also show-layout.ts). */
export const ifNoneMatch = z.object({ "If-None-Match": z.string().max(256).optional() });

export const notModified = { description: "Unchanged since the ETag given in If-None-Match" };

const getSeatMap = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/seats",
  tags: ["Seats"],
  summary: "Seat map (or one zone's)",
  description:
    "Statuses are live; `ETag` carries the version, and `If-None-Match` with it answers 304. `?zone=` gives one zone's seats (for big venues; see also the layout and the compact status).",
  access: "public",
  rateLimit: "seat_map",
  errors: [404],
  request: {
    params: showParam,
    query: z.object({ zone: zoneNameSchema.optional() }),
    headers: ifNoneMatch,
  },
  responses: { 200: jsonAnswer(seatMapSchema, "The seat map"), 304: notModified },
});

const getSeatStatus = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/seats/status",
  tags: ["Seats"],
  summary: "Every seat's status, one character each (compact)",
  description:
    "`status` has one character per seat, in the order of `GET /v1/shows/{show_id}/layout`: `a` available, `l` locked (by a buyer's lock, or being paid for), `h` held back by the organizer, `b` booked. `ETag` carries the version; `If-None-Match` with it answers 304.",
  access: "public",
  rateLimit: "seat_map",
  errors: [404],
  request: { params: showParam, headers: ifNoneMatch },
  responses: { 200: jsonAnswer(seatStatusSchema, "The statuses"), 304: notModified },
});

/** A read served from this isolate's cache when fresh, else from the show object. */
async function cachedRead(
  c: Context<AppEnv>,
  showId: string,
  kind: ReadKind,
  ask: (
    known: number | undefined,
  ) => Promise<{ version: number; json: string | null; changesBy: number | null }>,
) {
  const now = Date.now();
  const fresh = freshSeatMap(showId, now, kind);
  if (fresh) return fresh;
  const startedAt = beginSeatMapRead();
  const last = lastSeatMap(showId, kind);
  const read = await ask(last?.version);
  const json = read.json ?? last?.json;
  if (json === undefined) throw new Error("the show object sent no body for an unknown version");
  return rememberSeatMap(
    showId,
    { version: read.version, json, changesBy: read.changesBy },
    { startedAt, now, ttlMs: cacheMs(c.env) },
    kind,
  );
}

/** The answer for a versioned read: 304 when the client has it, else the body. */
function versioned(c: Context<AppEnv>, version: number, body: Uint8Array<ArrayBuffer> | string) {
  const headers = { ETag: etagOf(version), "Cache-Control": "no-cache" };
  if (knownVersion(c.req.header("If-None-Match")) === version) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, "Content-Type": "application/json" });
}

export const seatMapRoutes = apiRouter()
  .openapi(getSeatMap, async (c) => {
    const { show_id } = c.req.valid("param");
    const { zone } = c.req.valid("query");
    if (zone !== undefined) {
      // One zone of a big venue: not cached (the whole map is, which zones are cut from).
      const show = await showClient(c.env, show_id);
      const read = unwrap(await show.seatMap(undefined, zone));
      return versioned(c, read.version, read.json ?? "");
    }
    const map = await cachedRead(c, show_id, "map", async (known) =>
      unwrap(await (await showClient(c.env, show_id)).seatMap(known)),
    );
    return versioned(c, map.version, map.body);
  })
  .openapi(getSeatStatus, async (c) => {
    const { show_id } = c.req.valid("param");
    const entry = await cachedRead(c, show_id, "status", async (known) => {
      const read = unwrap(await (await showClient(c.env, show_id)).seatStatus(known));
      const json =
        read.status === null
          ? null
          : JSON.stringify({
              show_id,
              version: read.version,
              status: read.status,
              ...(read.areas && { areas: read.areas }),
              ...(read.resale && { resale: read.resale }),
            });
      return { version: read.version, json, changesBy: read.changesBy };
    });
    return versioned(c, entry.version, entry.body);
  });
