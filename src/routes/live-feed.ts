import { z } from "zod";
import { ApiError } from "../http/api-error.ts";
import { apiRoute, apiRouter } from "../openapi/api-route.ts";
import { upgradeToRelay } from "../show-client/live-relays.ts";
import { showClient } from "../show-client/show-client.ts";
import { showParam } from "./seat-map.ts";

const watchSeatMap = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/seats/live",
  tags: ["Seats"],
  summary: "Live seat map (WebSocket)",
  description: [
    "Upgrade to WebSocket; the socket is held by one of the show's relays, never by the show's own object.",
    "`format=full` (default): first a `snapshot` message (the seat map with `type`), then `seats` messages with `from_version`, `version` and `seats: [{seat_id, status}]`.",
    '`format=compact`: first `{"type":"status","version","status"}` (as `GET .../seats/status`), then `{"type":"seats","from_version","version","changes":[[index,"l"],...]}` with `index` the seat\'s position in `GET .../layout`.',
    "Each message's `from_version` is the previous message's `version`. `since=<version>`: when the relay still holds every change after it, the viewer gets only those (the first message's `from_version` equals `since`; nothing until the next change if none), else a snapshot.",
    "Send `ping` for `pong`, `resync` for a fresh snapshot (at most one a second; extra resyncs are coalesced). A viewer that keeps sending anything else is closed with 1008. Past the show's cap on viewers (`VIEWERS_PER_SHOW`, across relays of `VIEWERS_PER_RELAY`), 503 `VIEWERS_LIMIT_REACHED`.",
  ].join("\n\n"),
  access: "public",
  rateLimit: "seat_map",
  errors: [404, 426, 503],
  request: {
    params: showParam,
    query: z.object({
      format: z.enum(["full", "compact"]).default("full"),
      since: z
        .string()
        .regex(/^\d{1,15}$/, "must be a version: digits only")
        .transform(Number)
        .optional(),
    }),
  },
  responses: { 101: { description: "Switching to WebSocket" } },
});

export const liveFeedRoutes = apiRouter().openapi(watchSeatMap, async (c) => {
  const { show_id } = c.req.valid("param");
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "UPGRADE_REQUIRED", "This endpoint speaks WebSocket only", {
      field: "Upgrade",
      reason: "expected 'websocket'",
    });
  }
  // 404 for a show that does not exist, before any relay is woken.
  await showClient(c.env, show_id);
  return upgradeToRelay(c.env, show_id, c.req.raw);
});
