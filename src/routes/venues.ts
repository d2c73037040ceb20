import { Hono } from "hono";
import { createVenueSchema, idParam, MAX_VENUE_SEATS } from "../catalog/catalog-schemas.ts";
import { CatalogStore } from "../catalog/catalog-store.ts";
import { venueView } from "../catalog/catalog-views.ts";
import { layOutVenue, VenueLayoutError } from "../catalog/venue-layout.ts";
import { database } from "../db/database.ts";
import { invalidInput, notFound } from "../http/api-error.ts";
import type { AppEnv } from "../http/app-env.ts";
import { authenticate } from "../http/authenticate.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { jsonBody, pathParams } from "../http/validation.ts";
import { newId } from "../lib/ids.ts";

export const venueRoutes = new Hono<AppEnv>()
  .post(
    "/",
    authenticate("admin"),
    rateLimit("catalog"),
    jsonBody(createVenueSchema),
    async (c) => {
      const input = c.req.valid("json");
      const venueId = newId("venue");
      let layout: ReturnType<typeof layOutVenue>;
      try {
        layout = layOutVenue(venueId, input.zones, MAX_VENUE_SEATS);
      } catch (err) {
        if (err instanceof VenueLayoutError) throw invalidInput(err.field, err.reason);
        throw err;
      }
      const record = await new CatalogStore(database(c.env.DB)).insertVenue(
        {
          venueId,
          name: input.name,
          city: input.city,
          totalSeats: layout.seats.length,
          createdAt: new Date().toISOString(),
        },
        layout,
      );
      return c.json({ venue: venueView(record) }, 201);
    },
  )
  .get("/:venue_id", rateLimit("catalog"), pathParams(idParam("venue_id", "venue")), async (c) => {
    const { venue_id } = c.req.valid("param");
    const record = await new CatalogStore(database(c.env.DB)).getVenue(venue_id);
    if (!record) throw notFound("venue", venue_id);
    return c.json({ venue: venueView(record) });
  });
