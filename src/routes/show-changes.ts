import { z } from "zod";
import { idParam, price, showTimeSchema, zoneNameSchema } from "../catalog/catalog-schemas.ts";
import { singleLineText } from "../catalog/text-fields.ts";
import { invalidInput } from "../http/api-error.ts";
import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { showStatusSchema } from "../openapi/response-schemas.ts";
import { forgetSeatMap } from "../show-client/seat-map-cache.ts";
import { existingShow } from "../show-client/show-stub.ts";
import { forgetLayout } from "./show-layout.ts";

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
  })
  .refine((p) => p.show_time !== undefined || p.status !== undefined || p.prices !== undefined, {
    message: "give show_time, status or prices",
    path: ["status"],
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
  access: "admin",
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
  access: "admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam, body: jsonRequest(cancelShowSchema) },
  responses: { 202: jsonAnswer(showStatusSchema, "Cancelled; refunds under way") },
});

export const showChangeRoutes = apiRouter()
  .openapi(updateShow, async (c) => {
    const { show_id } = c.req.valid("param");
    const patch = c.req.valid("json");
    const showTime = patch.show_time === undefined ? undefined : Date.parse(patch.show_time);
    if (showTime !== undefined && showTime <= Date.now()) {
      throw invalidInput("show_time", "must be in the future");
    }
    const show = await existingShow(c.env, show_id);
    const view = unwrap(
      await show.updateShow({ showTime, status: patch.status, prices: patch.prices }),
    );
    forgetSeatMap(show_id);
    forgetLayout(show_id);
    return c.json({ show: view }, 200);
  })
  .openapi(cancelShow, async (c) => {
    const { show_id } = c.req.valid("param");
    const { reason } = c.req.valid("json");
    const show = await existingShow(c.env, show_id);
    const view = unwrap(await show.cancelShow(reason));
    forgetSeatMap(show_id);
    return c.json({ show: view }, 202);
  });
