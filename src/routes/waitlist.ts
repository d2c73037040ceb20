import { z } from "zod";
import { zoneNameSchema } from "../catalog/catalog-schemas.ts";
import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { MAX_SEATS_PER_LOCK } from "../openapi/seat-request-schemas.ts";
import { showClient } from "../show-client/show-client.ts";
import { showParam } from "./seat-map.ts";

/**
 * A sold-out show's waitlist: a buyer joins with how many seats they want (and a zone),
 * and seats that come back are locked for the first in line whose request fits (the show
 * object decides it in the step that freed them); the buyer books the offered lock.
 */

const waitlist = z.object({
  position: z.number().int().meta({ description: "1 for the first in line" }),
  quantity: z.number().int(),
  zone: z.string().nullable(),
  status: z.enum(["waiting", "offered"]),
  offer: z
    .object({ lock_id: z.string(), seat_ids: z.array(z.string()), expires_at: z.iso.datetime() })
    .nullable()
    .meta({ description: "The lock held for you: book it with POST /v1/bookings before it ends" }),
  joined_at: z.iso.datetime(),
});
const waitlistResponse = z.object({ waitlist }).meta({ id: "WaitlistEntry" });

const joinSchema = z
  .strictObject({
    quantity: z.number().int().min(1).max(MAX_SEATS_PER_LOCK),
    zone: zoneNameSchema.optional(),
  })
  .meta({ id: "JoinWaitlist" });

const joinWaitlist = apiRoute({
  method: "post",
  path: "/v1/shows/{show_id}/waitlist",
  tags: ["Seats"],
  summary: "Join a sold-out show's waitlist (409 NOT_SOLD_OUT while seats are available)",
  access: "user",
  rateLimit: "queue",
  errors: [404, 409],
  request: { params: showParam, body: jsonRequest(joinSchema) },
  responses: { 201: jsonAnswer(waitlistResponse, "Your place in line") },
});

const readWaitlist = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/waitlist/me",
  tags: ["Seats"],
  summary: "Your place on the waitlist, and the seats offered to you",
  access: "user",
  rateLimit: "queue",
  errors: [404],
  request: { params: showParam },
  responses: { 200: jsonAnswer(waitlistResponse, "Your place and offer") },
});

const leaveWaitlist = apiRoute({
  method: "delete",
  path: "/v1/shows/{show_id}/waitlist/me",
  tags: ["Seats"],
  summary: "Leave the waitlist (an offer not being booked goes to the next in line)",
  access: "user",
  rateLimit: "queue",
  errors: [404],
  request: { params: showParam },
  responses: { 200: jsonAnswer(waitlistResponse, "Your place as it was") },
});

export const waitlistRoutes = apiRouter()
  .openapi(joinWaitlist, async (c) => {
    const { show_id } = c.req.valid("param");
    const body = c.req.valid("json");
    const show = await showClient(c.env, show_id);
    const joined = await show.joinWaitlist(c.get("principal").userId, {
      quantity: body.quantity,
      ...(body.zone === undefined ? {} : { zone: body.zone }),
    });
    return c.json({ waitlist: unwrap(joined) }, 201);
  })
  .openapi(readWaitlist, async (c) => {
    const { show_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    return c.json({ waitlist: unwrap(await show.readWaitlist(c.get("principal").userId)) }, 200);
  })
  .openapi(leaveWaitlist, async (c) => {
    const { show_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    return c.json({ waitlist: unwrap(await show.leaveWaitlist(c.get("principal").userId)) }, 200);
  });
