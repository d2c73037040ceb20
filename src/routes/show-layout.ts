import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { layoutSchema } from "../openapi/response-schemas.ts";
import { existingShow } from "../show-client/show-stub.ts";
import { ifNoneMatch, notModified, showParam } from "./seat-map.ts";

/**
 * How long this isolate serves a show's layout without asking its object again: short,
 * since an organizer's price change alters it (the isolate that took the change forgets it
 * at once).
 */
const LAYOUT_CACHE_MS = 10_000;
const MAX_LAYOUTS = 64;

interface CachedLayout {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
  until: number;
}

const layouts = new Map<string, CachedLayout>();

/** The show's layout changed (prices) through this isolate. */
export function forgetLayout(showId: string): void {
  layouts.delete(showId);
}

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

async function etagOf(body: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
  const hex = [...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"layout-${hex}"`;
}

export const layoutRoutes = apiRouter().openapi(getLayout, async (c) => {
  const { show_id } = c.req.valid("param");
  const now = Date.now();
  let layout = layouts.get(show_id);
  if (!layout || layout.until <= now) {
    const show = await existingShow(c.env, show_id);
    const body = new TextEncoder().encode(unwrap(await show.layout())) as Uint8Array<ArrayBuffer>;
    layout = { body, etag: await etagOf(body), until: now + LAYOUT_CACHE_MS };
    layouts.delete(show_id);
    if (layouts.size >= MAX_LAYOUTS) {
      const oldest = layouts.keys().next().value;
      if (oldest !== undefined) layouts.delete(oldest);
    }
    layouts.set(show_id, layout);
  }
  // Kept by browsers and Cloudflare's cache for a minute, then revalidated by ETag (304).
  const headers = { ETag: layout.etag, "Cache-Control": "public, max-age=60, s-maxage=60" };
  if (c.req.header("If-None-Match")?.includes(layout.etag)) return c.body(null, 304, headers);
  return c.body(layout.body, 200, { ...headers, "Content-Type": "application/json" });
});
