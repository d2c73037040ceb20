import { BookingsD1 } from "../bookings/booking-d1.ts";
import { bookingIdParam, createBookingSchema } from "../bookings/booking-schemas.ts";
import { bookingDetailView, bookingListView } from "../contract/booking-views.ts";
import { showIdOf } from "../contract/scoped-ids.ts";
import { database } from "../db/database.ts";
import { ApiError, invalidInput, notFound } from "../http/api-error.ts";
import { respond, respondOrWait } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import {
  bookingListResponse,
  bookingResponse,
  createdBookingSchema,
  paymentWaitingSchema,
} from "../openapi/booking-response-schemas.ts";
import { listQuerySchema } from "../openapi/shared-schemas.ts";
import { acceptedMethod } from "../payments/accepted-methods.ts";
import { owningShowClient, showClient } from "../show-client/show-client.ts";

const createBooking = apiRoute({
  method: "post",
  path: "/v1/bookings",
  tags: ["Bookings"],
  summary: "Book a live lock; with a card it is paid at once",
  access: "user",
  rateLimit: "booking",
  idempotencyKey: "required",
  errors: [403, 404, 409],
  request: { body: jsonRequest(createBookingSchema) },
  responses: {
    201: jsonAnswer(createdBookingSchema, "The booking: confirmed when paid, else pending"),
    202: jsonAnswer(
      paymentWaitingSchema,
      "The booking, pending: its payment waits for the buyer's action (3-D Secure); the seats stay held meanwhile",
    ),
  },
});

const listBookings = apiRoute({
  method: "get",
  path: "/v1/bookings",
  tags: ["Bookings"],
  summary: "Your bookings, newest first",
  description:
    "Read from the database, which has a booking within about 100 ms of its 201 (the show sends its changes in batches); `GET /v1/bookings/{booking_id}` reads the show and has it at once.",
  access: "user",
  rateLimit: "booking",
  request: { query: listQuerySchema },
  responses: { 200: jsonAnswer(bookingListResponse, "A page of bookings") },
});

const getBooking = apiRoute({
  method: "get",
  path: "/v1/bookings/{booking_id}",
  tags: ["Bookings"],
  summary: "Get a booking",
  access: "owner, organizer (own organization) or admin",
  rateLimit: "booking",
  errors: [404],
  request: { params: bookingIdParam },
  responses: { 200: jsonAnswer(bookingResponse, "The booking") },
});

const cancelBooking = apiRoute({
  method: "post",
  path: "/v1/bookings/{booking_id}/cancel",
  tags: ["Bookings"],
  summary: "Cancel a booking before the show (refunds; idempotent)",
  access: "owner, organizer (own organization) or admin",
  rateLimit: "booking",
  errors: [404, 409, 422],
  request: { params: bookingIdParam },
  responses: { 200: jsonAnswer(bookingResponse, "The cancelled booking") },
});

export const bookingRoutes = apiRouter()
  .openapi(createBooking, async (c) => {
    const body = c.req.valid("json");
    const principal = c.get("principal");
    if (body.user_id !== principal.userId) {
      throw new ApiError(403, "FORBIDDEN", "user_id must be the user of the token", {
        field: "user_id",
        reason: "not the token's subject",
      });
    }
    if (showIdOf("lock", body.lock_id) !== body.show_id) {
      throw invalidInput("lock_id", "is not a lock of this show");
    }
    const show = await showClient(c.env, body.show_id);
    const reply = await show.book(
      {
        userId: principal.userId,
        lockId: body.lock_id,
        seatIds: body.seat_ids,
        areas: body.areas ?? [],
        method: body.payment_method && acceptedMethod(c.env, body.payment_method),
      },
      { requestId: c.get("requestId"), idempotency: c.get("idempotency") },
    );
    return respondOrWait(c, reply, 201);
  })
  .openapi(listBookings, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const page = await new BookingsD1(database(c.env.DB)).listForUser(
      c.get("principal").userId,
      limit,
      cursor,
    );
    return c.json(bookingListView(page, c.env.TICKET_BASE_URL), 200);
  })
  .openapi(getBooking, async (c) => {
    const { booking_id } = c.req.valid("param");
    const principal = c.get("principal");
    const read = await (await owningShowClient(c.env, "booking", booking_id)).readBooking(
      booking_id,
    );
    // Staff (the admin, or an organizer of the show's organization: the route's scope
    // checked that) read any booking of the show; a user only theirs.
    if (!read || (read.booking.userId !== principal.userId && principal.role === "user")) {
      throw notFound("booking", booking_id);
    }
    const booking = bookingDetailView(read.booking, read.show, c.env.TICKET_BASE_URL);
    return c.json({ booking }, 200);
  })
  .openapi(cancelBooking, async (c) => {
    const { booking_id } = c.req.valid("param");
    const principal = c.get("principal");
    const stub = await owningShowClient(c.env, "booking", booking_id);
    const reply = await stub.cancelBooking({
      userId: principal.userId,
      isAdmin: principal.role !== "user",
      bookingId: booking_id,
      requestId: c.get("requestId"),
    });
    return respond(c, reply, 200);
  });
