import { z } from "zod";
import { MAX_AREA_CAPACITY, zoneNameSchema } from "../catalog/catalog-schemas.ts";
import { singleLineText } from "../catalog/text-fields.ts";
import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { seatIdSchema } from "../openapi/seat-request-schemas.ts";
import { showClient } from "../show-client/show-client.ts";
import { showParam } from "./seat-map.ts";

/** Seats the organizer keeps back from sale: house seats, access places, stage kills. */

const holdSchema = z.object({
  hold_id: z.string(),
  seat_ids: z.array(z.string()),
  areas: z.array(z.object({ zone: z.string(), quantity: z.number().int() })).optional(),
  reason: z.string(),
  label: z.string().nullable(),
  created_at: z.iso.datetime(),
});

const holdResponse = z.object({ hold: holdSchema }).meta({ id: "SeatHold" });
const holdListResponse = z.object({ holds: z.array(holdSchema) }).meta({ id: "SeatHoldList" });

const createHoldSchema = z
  .strictObject({
    seat_ids: z
      .array(seatIdSchema)
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, "lists a seat twice")
      .default([]),
    areas: z
      .array(
        z.strictObject({
          zone: zoneNameSchema,
          quantity: z.number().int().min(1).max(MAX_AREA_CAPACITY),
        }),
      )
      .min(1)
      .max(100)
      .optional()
      .meta({ description: "Places of standing areas to keep back, by zone" }),
    reason: singleLineText(200).refine((reason) => reason !== "allocation", {
      message: "is kept for allocations: make one with POST /v1/shows/{show_id}/allocations",
    }),
    label: singleLineText(100).optional(),
  })
  .refine((body) => body.seat_ids.length > 0 || (body.areas?.length ?? 0) > 0, {
    message: "hold at least one seat or place",
    path: ["seat_ids"],
  })
  .meta({
    id: "CreateSeatHold",
    example: { seat_ids: ["seat_1", "seat_2"], reason: "wheelchair", label: "Access row" },
  });

const holdParams = showParam.extend({
  hold_id: z
    .string()
    .max(64)
    .regex(/^hold_[a-z0-9]+$/, "must look like hold_..."),
});

const createHold = apiRoute({
  method: "post",
  path: "/v1/shows/{show_id}/holds",
  tags: ["Organizers"],
  summary: "Keep seats back from sale",
  description:
    "Held seats read `held` in the seat map and the live feed (`h` in compact form); users cannot lock them (400 SEATS_UNAVAILABLE naming them) and best available skips them. Holding a seat that is locked, booked or held already is 409 SEATS_UNAVAILABLE naming it.",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404, 409],
  request: { params: showParam, body: jsonRequest(createHoldSchema) },
  responses: { 201: jsonAnswer(holdResponse, "The hold") },
});

const listHolds = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/holds",
  tags: ["Organizers"],
  summary: "The show's seat holds",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam },
  responses: { 200: jsonAnswer(holdListResponse, "The holds, oldest first") },
});

const releaseHold = apiRoute({
  method: "delete",
  path: "/v1/shows/{show_id}/holds/{hold_id}",
  tags: ["Organizers"],
  summary: "Put a hold's seats back on sale",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: holdParams },
  responses: { 200: jsonAnswer(holdResponse, "The released hold") },
});

export const showHoldRoutes = apiRouter()
  .openapi(createHold, async (c) => {
    const { show_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const show = await showClient(c.env, show_id);
    const reply = await show.createHold({
      seatIds: body.seat_ids,
      ...(body.areas && { areas: body.areas }),
      reason: body.reason,
      label: body.label,
    });
    return c.json({ hold: unwrap(reply) }, 201);
  })
  .openapi(listHolds, async (c) => {
    const { show_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    return c.json({ holds: unwrap(await show.listHolds()) }, 200);
  })
  .openapi(releaseHold, async (c) => {
    const { show_id, hold_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    const reply = await show.releaseHold(hold_id);
    return c.json({ hold: unwrap(reply) }, 200);
  });
