import { CatalogD1 } from "../catalog/catalog-d1.ts";
import { createShowSchema, idParam } from "../catalog/catalog-schemas.ts";
import { showView } from "../catalog/catalog-views.ts";
import { database } from "../db/database.ts";
import { invalidInput, notFound } from "../http/api-error.ts";
import { unwrap } from "../http/show-response.ts";
import { newId } from "../lib/ids.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { showResponse } from "../openapi/response-schemas.ts";
import { knownShows } from "../show-client/known-shows.ts";
import { existingShow } from "../show-client/show-stub.ts";

const createShow = apiRoute({
  method: "post",
  path: "/v1/shows",
  tags: ["Catalog"],
  summary: "Create a show with a price for every zone",
  access: "admin",
  rateLimit: "catalog",
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

export const showRoutes = apiRouter()
  .openapi(createShow, async (c) => {
    const input = c.req.valid("json");
    const showTime = new Date(input.show_time);
    if (showTime.getTime() <= Date.now()) {
      throw invalidInput("show_time", "must be in the future");
    }
    const store = new CatalogD1(database(c.env.DB));
    const [event, venue, zones] = await Promise.all([
      store.getEvent(input.event_id),
      store.getVenueRow(input.venue_id),
      store.getZones(input.venue_id),
    ]);
    if (!event) throw invalidInput("event_id", `no event ${input.event_id}`);
    if (!venue) throw invalidInput("venue_id", `no venue ${input.venue_id}`);
    for (const zone of Object.keys(input.prices)) {
      if (!zones.some((z) => z.name === zone)) {
        throw invalidInput(`prices.${zone}`, `venue ${venue.venueId} has no zone '${zone}'`);
      }
    }
    const prices: Record<string, number> = {};
    for (const zone of zones) {
      const price = input.prices[zone.name];
      if (price === undefined) {
        throw invalidInput(`prices.${zone.name}`, `a price is required for zone '${zone.name}'`);
      }
      prices[zone.name] = price;
    }
    const record = await store.insertShow(
      {
        showId: newId("show"),
        eventId: event.eventId,
        venueId: venue.venueId,
        showTime: showTime.toISOString(),
        status: "scheduled",
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
    const status = unwrap(await (await existingShow(c.env, show_id)).showStatus());
    const cancellation = status.cancellation ?? undefined;
    return c.json({ show: { ...showView(record), cancellation } }, 200);
  });
