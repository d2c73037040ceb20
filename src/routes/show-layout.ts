import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { layoutSchema } from "../openapi/response-schemas.ts";
import { cachedLayout } from "../show-client/layout-cache.ts";
import { showClient } from "../show-client/show-client.ts";
import { ifNoneMatch, notModified, showParam } from "./seat-map.ts";

const getLayout = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/layout",
  tags: ["Seats"],
  summary: "The show's seats without statuses, in the order compact statuses use",
  description:
    "Fixed for the show: fetch it once and keep it (`Cache-Control` lets clients and Cloudflare's cache do so; `ETag`, `If-None-Match` → 304), then follow statuses with `GET .../seats/status` or the live feed's `format=compact`.",
  access: "public",
  rateLimit: "seat_map",
  errors: [404],
  request: { params: showParam, headers: ifNoneMatch },
  responses: { 200: jsonAnswer(layoutSchema, "The layout"), 304: notModified },
});

export const layoutRoutes = apiRouter().openapi(getLayout, async (c) => {
  const { show_id } = c.req.valid("param");
  const now = Date.now();
  const layout = await cachedLayout(show_id, now, async () =>
    unwrap(await (await showClient(c.env, show_id)).layout()),
  );
  // Kept by browsers and Cloudflare's cache for a minute, then revalidated by ETag (304).
  const headers = { ETag: layout.etag, "Cache-Control": "public, max-age=60, s-maxage=60" };
  if (c.req.header("If-None-Match")?.includes(layout.etag)) return c.body(null, 304, headers);
  return c.body(layout.body, 200, { ...headers, "Content-Type": "application/json" });
});
