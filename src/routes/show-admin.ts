import { z } from "zod";
import { BookingsD1 } from "../bookings/booking-d1.ts";
import { bookingListView } from "../contract/booking-views.ts";
import { database } from "../db/database.ts";
import { bookingStatuses } from "../db/schema.ts";
import { unwrap } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { bookingListResponse } from "../openapi/booking-response-schemas.ts";
import { salesReportSchema } from "../openapi/response-schemas.ts";
import { listQuerySchema } from "../openapi/shared-schemas.ts";
import { showClient } from "../show-client/show-client.ts";
import { showParam } from "./seat-map.ts";

/** What organizers read about one show: its sales report and its bookings. */

const getReport = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/report",
  tags: ["Organizers"],
  summary: "Sales report: seats per zone by status, bookings by status, gross, refunds, net",
  description:
    "From the show object at one moment, so it agrees with the seat map and the payment ledger: gross is every paid booking (cancelled ones included), refunds the paid bookings cancelled since, net the difference, in the show's currency.",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam },
  responses: { 200: jsonAnswer(salesReportSchema, "The report") },
});

const listShowBookings = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/bookings",
  tags: ["Organizers"],
  summary: "The show's bookings, newest first, optionally of one status",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: {
    params: showParam,
    query: listQuerySchema.extend({ status: z.enum(bookingStatuses).optional() }),
  },
  responses: { 200: jsonAnswer(bookingListResponse, "A page of the show's bookings") },
});

export const showAdminRoutes = apiRouter()
  .openapi(getReport, async (c) => {
    const { show_id } = c.req.valid("param");
    const show = await showClient(c.env, show_id);
    return c.json({ report: unwrap(await show.salesReport()) }, 200);
  })
  .openapi(listShowBookings, async (c) => {
    const { show_id } = c.req.valid("param");
    const { limit, cursor, status } = c.req.valid("query");
    // 404 for a show that does not exist (D1's list would just be empty).
    await showClient(c.env, show_id);
    const page = await new BookingsD1(database(c.env.DB)).listForShow(
      show_id,
      status,
      limit,
      cursor,
    );
    return c.json(bookingListView(page, c.env.TICKET_BASE_URL), 200);
  });
