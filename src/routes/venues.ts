import { CatalogD1 } from "../catalog/catalog-d1.ts";
import { createVenueSchema, MAX_VENUE_SEATS } from "../catalog/catalog-schemas.ts";
import { venueView } from "../catalog/catalog-views.ts";
import { layOutVenue, VenueLayoutError } from "../catalog/venue-layout.ts";
import { database } from "../db/database.ts";
import { invalidInput, notFound } from "../http/api-error.ts";
import { newId } from "../lib/ids.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { venueResponse } from "../openapi/response-schemas.ts";
import { idParam } from "../openapi/shared-schemas.ts";
import { organizationOfNew } from "../organizations/new-resource-organization.ts";

const createVenue = apiRoute({
  method: "post",
  path: "/v1/venues",
  tags: ["Catalog"],
  summary: "Create a venue with its zones, rows and seats",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  request: { body: jsonRequest(createVenueSchema) },
  responses: { 201: jsonAnswer(venueResponse, "The venue with every seat") },
});

const getVenue = apiRoute({
  method: "get",
  path: "/v1/venues/{venue_id}",
  tags: ["Catalog"],
  summary: "Get a venue",
  access: "public",
  rateLimit: "catalog",
  errors: [404],
  request: { params: idParam("venue_id", "venue") },
  responses: { 200: jsonAnswer(venueResponse, "The venue") },
});

export const venueRoutes = apiRouter()
  .openapi(createVenue, async (c) => {
    const input = c.req.valid("json");
    const orgId = await organizationOfNew(c, input.org_id);
    const venueId = newId("venue");
    let layout: ReturnType<typeof layOutVenue>;
    try {
      layout = layOutVenue(venueId, input.zones, MAX_VENUE_SEATS);
    } catch (err) {
      if (err instanceof VenueLayoutError) throw invalidInput(err.field, err.reason);
      throw err;
    }
    const record = await new CatalogD1(database(c.env.DB)).insertVenue(
      {
        venueId,
        orgId,
        name: input.name,
        city: input.city,
        // Places: seats and standing areas' capacity.
        totalSeats: layout.zones.reduce((sum, zone) => sum + zone.seatCount, 0),
        createdAt: new Date().toISOString(),
      },
      layout,
    );
    return c.json({ venue: venueView(record) }, 201);
  })
  .openapi(getVenue, async (c) => {
    const { venue_id } = c.req.valid("param");
    const record = await new CatalogD1(database(c.env.DB)).getVenue(venue_id);
    if (!record) throw notFound("venue", venue_id);
    return c.json({ venue: venueView(record) }, 200);
  });
