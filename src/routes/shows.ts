/** A show: created and read (the catalog), and changed or cancelled by its organizer. */
import { z } from "zod";
import { CatalogD1 } from "../catalog/catalog-d1.ts";
import {
  checkinPolicyField,
  createShowSchema,
  price,
  resaleField,
  saleSettingsFields,
  saleWindowIssue,
  showTimeSchema,
  zoneNameSchema,
} from "../catalog/catalog-schemas.ts";
import { showView } from "../catalog/catalog-views.ts";
import { singleLineText } from "../catalog/text-fields.ts";
import { database } from "../db/database.ts";
import { invalidInput, notFound } from "../http/api-error.ts";
import { unwrap } from "../http/show-response.ts";
import { newId } from "../lib/ids.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { showResponse, showStatusSchema } from "../openapi/response-schemas.ts";
import { idParam } from "../openapi/shared-schemas.ts";
import { knownShows } from "../show-client/known-shows.ts";
import { showClient } from "../show-client/show-client.ts";

const createShow = apiRoute({
  method: "post",
  path: "/v1/shows",
  tags: ["Catalog"],
  summary: "Create a show with a price for every zone",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { body: jsonRequest(createShowSchema) },
  responses: { 201: jsonAnswer(showResponse, "The show") },
});

const getShow = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}",
  tags: ["Catalog"],
  summary: "Get a show",
  access: "public",
  rateLimit: "catalog",
  errors: [404],
  request: { params: idParam("show_id", "show") },
  responses: { 200: jsonAnswer(showResponse, "The show") },
});

/** Organizers' changes to a show: PATCH (sale open or closed, show time) and cancel. */

const showParam = idParam("show_id", "show");

const showPatchSchema = z
  .strictObject({
    show_time: showTimeSchema.optional(),
    prices: z.record(zoneNameSchema, price).optional().meta({
      description:
        "zone → new price, for locks made from now on; a live lock and its booking keep the prices it was made at",
    }),
    status: z.enum(["scheduled", "closed"]).optional().meta({
      description:
        "scheduled: on sale; closed: sales paused (locks, bookings and payments answer 400 SHOW_CLOSED)",
    }),
    ...saleSettingsFields,
    ...checkinPolicyField,
    ...resaleField,
    accessible_seats_reserved: z.boolean().optional().meta({
      description:
        "true (the default): wheelchair and companion seats are kept from plain best available, and a companion seat from a lock without a wheelchair space, until the rest of their zone is sold; false releases them to everyone",
    }),
  })
  .refine((p) => Object.values(p).some((value) => value !== undefined), {
    message:
      "give show_time, status, prices, accessible_seats_reserved, max_tickets_per_user, sales_start, sales_end, waitlist_offer_seconds, checkin_policy or resale",
    path: ["status"],
  })
  .superRefine((p, ctx) => {
    const issue = saleWindowIssue(p);
    if (issue) ctx.addIssue({ code: "custom", path: ["sales_end"], message: issue });
  })
  .meta({ id: "ShowPatch" });

const cancelShowSchema = z.strictObject({ reason: singleLineText(500) }).meta({
  id: "CancelShow",
  example: { reason: "The artist is ill; the show will not take place" },
});

const updateShow = apiRoute({
  method: "patch",
  path: "/v1/shows/{show_id}",
  tags: ["Organizers"],
  summary: "Open or close the sale, or move the show",
  description:
    'The show object, D1 and live viewers (a `{"type":"show"}` message) agree once this answers. 409 SHOW_CANCELLED for a cancelled show.',
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404, 409],
  request: { params: showParam, body: jsonRequest(showPatchSchema) },
  responses: { 200: jsonAnswer(showStatusSchema, "The show's status and time") },
});

const cancelShow = apiRoute({
  method: "post",
  path: "/v1/shows/{show_id}/cancel",
  tags: ["Organizers"],
  summary: "Cancel the show: release every lock and refund every booking",
  description:
    "202 at once; calling it again is harmless. New locks answer 400 SHOW_CLOSED, live locks are released, pending bookings expire, every paid booking is refunded through the gateway and cancelled (tickets void), retried while the provider fails and resumed after a restart. GET /v1/shows/{show_id} shows the progress in `cancellation`.",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam, body: jsonRequest(cancelShowSchema) },
  responses: { 202: jsonAnswer(showStatusSchema, "Cancelled; refunds under way") },
});

export const showRoutes = apiRouter()
  .openapi(createShow, async (c) => {
    const input = c.req.valid("json");
    const showTime = new Date(input.show_time);
    if (showTime.getTime() <= Date.now()) {
      throw invalidInput("show_time", "must be in the future");
    }
    const store = new CatalogD1(database(c.env.DB));
    const [event, venue, zones, categories] = await Promise.all([
      store.getEvent(input.event_id),
      store.getVenueRow(input.venue_id),
      store.getZones(input.venue_id),
      store.getCategories(input.venue_id),
    ]);
    // Another organization's event or venue is as unknown as one that does not exist; a
    // show's event and venue are of one organization, which the show belongs to too.
    const own = c.get("principal").orgId;
    if (!event || (own && event.orgId !== own)) throw notFound("event", input.event_id);
    if (!venue || venue.orgId !== event.orgId) throw notFound("venue", input.venue_id);
    // Every zone and every price category of the venue is priced, and nothing else.
    const priced = [
      ...zones.map((zone) => ({ name: zone.name, kind: "zone" })),
      ...categories.map((name) => ({ name, kind: "category" })),
    ];
    for (const name of Object.keys(input.prices)) {
      if (!priced.some((p) => p.name === name)) {
        throw invalidInput(
          `prices.${name}`,
          `venue ${venue.venueId} has no zone or price category '${name}'`,
        );
      }
    }
    const prices: Record<string, number> = {};
    for (const { name, kind } of priced) {
      const price = Object.hasOwn(input.prices, name) ? input.prices[name] : undefined;
      if (price === undefined) {
        throw invalidInput(`prices.${name}`, `a price is required for ${kind} '${name}'`);
      }
      prices[name] = price;
    }
    const record = await store.insertShow(
      {
        showId: newId("show"),
        orgId: event.orgId,
        eventId: event.eventId,
        venueId: venue.venueId,
        showTime: showTime.toISOString(),
        status: "scheduled",
        maxTicketsPerUser: input.max_tickets_per_user ?? null,
        salesStart: isoOrNull(input.sales_start),
        salesEnd: isoOrNull(input.sales_end),
        waitlistOfferSeconds: input.waitlist_offer_seconds ?? null,
        checkinPolicy: input.checkin_policy ?? null,
        resale: input.resale ?? true,
        createdAt: new Date().toISOString(),
      },
      prices,
    );
    // Usable through this isolate at once, even if its id was looked up before.
    knownShows.showCreated(record.show.showId);
    return c.json({ show: showView(record) }, 201);
  })
  .openapi(getShow, async (c) => {
    const { show_id } = c.req.valid("param");
    const record = await new CatalogD1(database(c.env.DB)).getShow(show_id);
    if (!record) throw notFound("show", show_id);
    if (record.show.status !== "cancelled") return c.json({ show: showView(record) }, 200);
    // A cancelled show's refunds are counted by its object.
    const status = unwrap(await (await showClient(c.env, show_id)).showStatus());
    const cancellation = status.cancellation ?? undefined;
    return c.json({ show: { ...showView(record), cancellation } }, 200);
  })
  .openapi(updateShow, async (c) => {
    const { show_id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const showTime = patch.show_time === undefined ? undefined : Date.parse(patch.show_time);
    if (showTime !== undefined && showTime <= Date.now()) {
      throw invalidInput("show_time", "must be in the future");
    }
    const show = await showClient(c.env, show_id);
    const view = unwrap(
      await show.updateShow({
        showTime,
        status: patch.status,
        prices: patch.prices,
        accessibleSeatsReserved: patch.accessible_seats_reserved,
        maxTicketsPerUser: patch.max_tickets_per_user,
        salesStart: msOrNull(patch.sales_start),
        salesEnd: msOrNull(patch.sales_end),
        waitlistOfferSeconds: patch.waitlist_offer_seconds,
        checkinPolicy: patch.checkin_policy,
        resale: patch.resale,
      }),
    );
    return c.json({ show: view }, 200);
  })
  .openapi(cancelShow, async (c) => {
    const { show_id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const show = await showClient(c.env, show_id);
    const view = unwrap(await show.cancelShow(reason));
    return c.json({ show: view }, 202);
  });

/** An optional, clearable time field as D1 keeps it (ISO, UTC) or null. */
function isoOrNull(value: string | null | undefined): string | null {
  return value ? new Date(value).toISOString() : null;
}

/** The same as epoch ms for the show object: undefined (unchanged), null (cleared) or a time. */
function msOrNull(value: string | null | undefined): number | null | undefined {
  return value === undefined ? undefined : value === null ? null : Date.parse(value);
}
