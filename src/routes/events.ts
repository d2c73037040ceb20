import { Hono } from "hono";
import { createEventSchema, idParam, listQuerySchema } from "../catalog/catalog-schemas.ts";
import { CatalogStore } from "../catalog/catalog-store.ts";
import { eventView, showView } from "../catalog/catalog-views.ts";
import { database } from "../db/database.ts";
import { notFound } from "../http/api-error.ts";
import type { AppEnv } from "../http/app-env.ts";
import { authenticate } from "../http/authenticate.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { jsonBody, pathParams, queryParams } from "../http/validation.ts";
import { newId } from "../lib/ids.ts";

const eventIdParam = idParam("event_id", "event");

export const eventRoutes = new Hono<AppEnv>()
  .post(
    "/",
    authenticate("admin"),
    rateLimit("catalog"),
    jsonBody(createEventSchema),
    async (c) => {
      const input = c.req.valid("json");
      const store = new CatalogStore(database(c.env.DB));
      const event = await store.insertEvent({
        eventId: newId("event"),
        name: input.name,
        description: input.description ?? null,
        durationMinutes: input.duration_minutes ?? null,
        createdAt: new Date().toISOString(),
      });
      return c.json({ event: eventView(event) }, 201);
    },
  )
  .get("/", rateLimit("catalog"), queryParams(listQuerySchema), async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await new CatalogStore(database(c.env.DB)).listEvents(limit, cursor);
    return c.json({ events: page.items.map(eventView), next_cursor: page.nextCursor });
  })
  .get("/:event_id", rateLimit("catalog"), pathParams(eventIdParam), async (c) => {
    const { event_id } = c.req.valid("param");
    const event = await new CatalogStore(database(c.env.DB)).getEvent(event_id);
    if (!event) throw notFound("event", event_id);
    return c.json({ event: eventView(event) });
  })
  .get(
    "/:event_id/shows",
    rateLimit("catalog"),
    pathParams(eventIdParam),
    queryParams(listQuerySchema),
    async (c) => {
      const { event_id } = c.req.valid("param");
      const { limit, cursor } = c.req.valid("query");
      const store = new CatalogStore(database(c.env.DB));
      if (!(await store.getEvent(event_id))) throw notFound("event", event_id);
      const page = await store.listShowsOfEvent(event_id, limit, cursor);
      return c.json({ shows: page.items.map(showView), next_cursor: page.nextCursor });
    },
  );
