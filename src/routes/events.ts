import { CatalogD1 } from "../catalog/catalog-d1.ts";
import { createEventSchema } from "../catalog/catalog-schemas.ts";
import { eventView, showView } from "../catalog/catalog-views.ts";
import { database } from "../db/database.ts";
import { notFound } from "../http/api-error.ts";
import { newId } from "../lib/ids.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { eventListResponse, eventResponse, showListResponse } from "../openapi/response-schemas.ts";
import { idParam, listQuerySchema } from "../openapi/shared-schemas.ts";
import { organizationOfNew } from "../organizations/new-resource-organization.ts";

const eventIdParam = idParam("event_id", "event");

const createEvent = apiRoute({
  method: "post",
  path: "/v1/events",
  tags: ["Catalog"],
  summary: "Create an event",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  request: { body: jsonRequest(createEventSchema) },
  responses: { 201: jsonAnswer(eventResponse, "The event") },
});

const listEvents = apiRoute({
  method: "get",
  path: "/v1/events",
  tags: ["Catalog"],
  summary: "List events, newest first",
  access: "public",
  rateLimit: "catalog",
  request: { query: listQuerySchema },
  responses: { 200: jsonAnswer(eventListResponse, "A page of events") },
});

const getEvent = apiRoute({
  method: "get",
  path: "/v1/events/{event_id}",
  tags: ["Catalog"],
  summary: "Get an event",
  access: "public",
  rateLimit: "catalog",
  errors: [404],
  request: { params: eventIdParam },
  responses: { 200: jsonAnswer(eventResponse, "The event") },
});

const listShowsOfEvent = apiRoute({
  method: "get",
  path: "/v1/events/{event_id}/shows",
  tags: ["Catalog"],
  summary: "List an event's shows, soonest first",
  access: "public",
  rateLimit: "catalog",
  errors: [404],
  request: { params: eventIdParam, query: listQuerySchema },
  responses: { 200: jsonAnswer(showListResponse, "A page of shows") },
});

export const eventRoutes = apiRouter()
  .openapi(createEvent, async (c) => {
    const input = c.req.valid("json");
    const orgId = await organizationOfNew(c, input.org_id);
    const store = new CatalogD1(database(c.env.DB));
    const event = await store.insertEvent({
      eventId: newId("event"),
      orgId,
      name: input.name,
      description: input.description ?? null,
      durationMinutes: input.duration_minutes ?? null,
      createdAt: new Date().toISOString(),
    });
    return c.json({ event: eventView(event) }, 201);
  })
  .openapi(listEvents, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await new CatalogD1(database(c.env.DB)).listEvents(limit, cursor);
    return c.json({ events: page.items.map(eventView), next_cursor: page.nextCursor }, 200);
  })
  .openapi(getEvent, async (c) => {
    const { event_id } = c.req.valid("param");
    const event = await new CatalogD1(database(c.env.DB)).getEvent(event_id);
    if (!event) throw notFound("event", event_id);
    return c.json({ event: eventView(event) }, 200);
  })
  .openapi(listShowsOfEvent, async (c) => {
    const { event_id } = c.req.valid("param");
    const { limit, cursor } = c.req.valid("query");
    const store = new CatalogD1(database(c.env.DB));
    if (!(await store.getEvent(event_id))) throw notFound("event", event_id);
    const page = await store.listShowsOfEvent(event_id, limit, cursor);
    return c.json({ shows: page.items.map(showView), next_cursor: page.nextCursor }, 200);
  });
