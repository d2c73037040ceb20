import { z } from "zod";
import { devTokenRequestSchema } from "../auth/dev-token-schema.ts";
import {
  bookingIdParam,
  createBookingSchema,
  createPaymentSchema,
} from "../bookings/booking-schemas.ts";
import {
  createEventSchema,
  createShowSchema,
  createVenueSchema,
  idParam,
  listQuerySchema,
} from "../catalog/catalog-schemas.ts";
import type { RateLimitClass } from "../limits/rate-limit-classes.ts";
import { lockIdParam, lockRequestSchema, showIdSchema } from "../show-client/seat-schemas.ts";
import {
  bookingListResponse,
  bookingResponse,
  createdBookingSchema,
  devTokenSchema,
  eventListResponse,
  eventResponse,
  healthSchema,
  lockSchema,
  lockWithStatusSchema,
  paymentSchema,
  seatMapSchema,
  showListResponse,
  showResponse,
  venueResponse,
} from "./response-schemas.ts";

/**
 * Every route the app serves, described once for the OpenAPI document: the same zod
 * schemas the routes validate with, who may call it, its rate-limit class and the errors
 * it can answer. A test checks this list against the routes Hono actually has.
 */

export type Access = "public" | "user" | "admin" | "owner" | "owner or admin";

/** Error statuses, each documented once as a shared response. */
export type ErrorStatus =
  | 400
  | 401
  | 403
  | 404
  | 405
  | 409
  | 413
  | 415
  | 422
  | 426
  | 429
  | 500
  | 503;

export interface RouteDoc {
  method: "get" | "post" | "delete";
  /** OpenAPI path syntax: `/v1/shows/{show_id}`. */
  path: string;
  summary: string;
  description?: string;
  tag: "Catalog" | "Seats" | "Bookings" | "Payments" | "Meta";
  access: Access;
  rateLimit?: RateLimitClass;
  idempotencyKey?: "required" | "optional";
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { name: string; schema: z.ZodType };
  success: { status: 101 | 200 | 201; description: string; name?: string; schema?: z.ZodType };
  extraResponses?: { status: 304; description: string }[];
  errors: ErrorStatus[];
}

const eventIdParam = idParam("event_id", "event");
const venueIdParam = idParam("venue_id", "venue");
const showIdParam = z.object({ show_id: showIdSchema });

/** Errors every /v1 route can answer. */
const common: ErrorStatus[] = [405, 500];
const limited = (statuses: ErrorStatus[]): ErrorStatus[] => [...statuses, 429, ...common];

export const apiRoutes: RouteDoc[] = [
  {
    method: "get",
    path: "/health",
    summary: "Liveness",
    tag: "Meta",
    access: "public",
    success: { status: 200, description: "The Worker is up", name: "Health", schema: healthSchema },
    errors: [],
  },
  {
    method: "get",
    path: "/v1/openapi.json",
    summary: "This document",
    tag: "Meta",
    access: "public",
    success: { status: 200, description: "The OpenAPI 3.1 document" },
    errors: common,
  },
  {
    method: "post",
    path: "/v1/dev/token",
    summary: "A user token for local development",
    description:
      'Exists only where DEV_TOKENS is "true" (npm start); 404 elsewhere. Never grants admin.',
    tag: "Meta",
    access: "public",
    rateLimit: "catalog",
    body: { name: "DevTokenRequest", schema: devTokenRequestSchema },
    success: { status: 200, description: "A token", name: "DevToken", schema: devTokenSchema },
    errors: limited([400, 404, 413, 415]),
  },
  {
    method: "post",
    path: "/v1/events",
    summary: "Create an event",
    tag: "Catalog",
    access: "admin",
    rateLimit: "catalog",
    body: { name: "CreateEvent", schema: createEventSchema },
    success: {
      status: 201,
      description: "The event",
      name: "EventResponse",
      schema: eventResponse,
    },
    errors: limited([400, 401, 403, 413, 415]),
  },
  {
    method: "get",
    path: "/v1/events",
    summary: "List events, newest first",
    tag: "Catalog",
    access: "public",
    rateLimit: "catalog",
    query: listQuerySchema,
    success: {
      status: 200,
      description: "A page of events",
      name: "EventList",
      schema: eventListResponse,
    },
    errors: limited([400]),
  },
  {
    method: "get",
    path: "/v1/events/{event_id}",
    summary: "Get an event",
    tag: "Catalog",
    access: "public",
    rateLimit: "catalog",
    params: eventIdParam,
    success: {
      status: 200,
      description: "The event",
      name: "EventResponse",
      schema: eventResponse,
    },
    errors: limited([400, 404]),
  },
  {
    method: "get",
    path: "/v1/events/{event_id}/shows",
    summary: "List an event's shows, soonest first",
    tag: "Catalog",
    access: "public",
    rateLimit: "catalog",
    params: eventIdParam,
    query: listQuerySchema,
    success: {
      status: 200,
      description: "A page of shows",
      name: "ShowList",
      schema: showListResponse,
    },
    errors: limited([400, 404]),
  },
  {
    method: "post",
    path: "/v1/venues",
    summary: "Create a venue with its zones, rows and seats",
    tag: "Catalog",
    access: "admin",
    rateLimit: "catalog",
    body: { name: "CreateVenue", schema: createVenueSchema },
    success: {
      status: 201,
      description: "The venue with every seat",
      name: "VenueResponse",
      schema: venueResponse,
    },
    errors: limited([400, 401, 403, 413, 415]),
  },
  {
    method: "get",
    path: "/v1/venues/{venue_id}",
    summary: "Get a venue",
    tag: "Catalog",
    access: "public",
    rateLimit: "catalog",
    params: venueIdParam,
    success: {
      status: 200,
      description: "The venue",
      name: "VenueResponse",
      schema: venueResponse,
    },
    errors: limited([400, 404]),
  },
  {
    method: "post",
    path: "/v1/shows",
    summary: "Create a show with a price for every zone",
    tag: "Catalog",
    access: "admin",
    rateLimit: "catalog",
    body: { name: "CreateShow", schema: createShowSchema },
    success: { status: 201, description: "The show", name: "ShowResponse", schema: showResponse },
    errors: limited([400, 401, 403, 413, 415]),
  },
  {
    method: "get",
    path: "/v1/shows/{show_id}",
    summary: "Get a show",
    tag: "Catalog",
    access: "public",
    rateLimit: "catalog",
    params: showIdParam,
    success: { status: 200, description: "The show", name: "ShowResponse", schema: showResponse },
    errors: limited([400, 404]),
  },
  {
    method: "get",
    path: "/v1/shows/{show_id}/seats",
    summary: "Seat map",
    description:
      "Statuses are live; `ETag` carries the version, and `If-None-Match` with it answers 304.",
    tag: "Seats",
    access: "public",
    rateLimit: "seat_map",
    params: showIdParam,
    success: { status: 200, description: "The seat map", name: "SeatMap", schema: seatMapSchema },
    extraResponses: [
      { status: 304, description: "Unchanged since the ETag given in If-None-Match" },
    ],
    errors: limited([400, 404]),
  },
  {
    method: "get",
    path: "/v1/shows/{show_id}/seats/live",
    summary: "Live seat map (WebSocket)",
    description:
      "Upgrade to WebSocket. First a `snapshot` message (the seat map with `type`), then `seats` messages with `from_version`, `version` and the changed seats. Send `ping` for `pong`, `resync` for a fresh snapshot (at most one a second; extra resyncs are coalesced). A viewer that keeps sending anything else is closed with 1008. Past the show's cap on viewers (`VIEWERS_PER_SHOW`), 503 `VIEWERS_LIMIT_REACHED`.",
    tag: "Seats",
    access: "public",
    rateLimit: "seat_map",
    params: showIdParam,
    success: { status: 101, description: "Switching to WebSocket" },
    errors: limited([400, 404, 426, 503]),
  },
  {
    method: "post",
    path: "/v1/seats/lock",
    summary: "Lock seats (explicit or best available), all or nothing",
    tag: "Seats",
    access: "user",
    rateLimit: "seat_selection",
    idempotencyKey: "optional",
    body: { name: "LockRequest", schema: lockRequestSchema },
    success: { status: 200, description: "The lock", name: "SeatLock", schema: lockSchema },
    errors: limited([400, 401, 404, 409, 413, 415, 422]),
  },
  {
    method: "get",
    path: "/v1/seats/lock/{lock_id}",
    summary: "Get your lock",
    tag: "Seats",
    access: "owner",
    rateLimit: "seat_selection",
    params: lockIdParam,
    success: {
      status: 200,
      description: "The lock and its status",
      name: "SeatLockWithStatus",
      schema: lockWithStatusSchema,
    },
    errors: limited([400, 401, 404]),
  },
  {
    method: "delete",
    path: "/v1/seats/lock/{lock_id}",
    summary: "Release your lock early (idempotent)",
    tag: "Seats",
    access: "owner",
    rateLimit: "seat_selection",
    params: lockIdParam,
    success: {
      status: 200,
      description: "The lock and its status",
      name: "SeatLockWithStatus",
      schema: lockWithStatusSchema,
    },
    errors: limited([400, 401, 404, 409]),
  },
  {
    method: "post",
    path: "/v1/bookings",
    summary: "Book a live lock; with a card it is paid at once",
    tag: "Bookings",
    access: "user",
    rateLimit: "booking",
    idempotencyKey: "required",
    body: { name: "CreateBooking", schema: createBookingSchema },
    success: {
      status: 201,
      description: "The booking: confirmed when paid, else pending",
      name: "CreatedBooking",
      schema: createdBookingSchema,
    },
    errors: limited([400, 401, 403, 404, 409, 413, 415, 422]),
  },
  {
    method: "get",
    path: "/v1/bookings",
    summary: "Your bookings, newest first",
    tag: "Bookings",
    access: "user",
    rateLimit: "booking",
    query: listQuerySchema,
    success: {
      status: 200,
      description: "A page of bookings",
      name: "BookingList",
      schema: bookingListResponse,
    },
    errors: limited([400, 401]),
  },
  {
    method: "get",
    path: "/v1/bookings/{booking_id}",
    summary: "Get a booking",
    tag: "Bookings",
    access: "owner or admin",
    rateLimit: "booking",
    params: bookingIdParam,
    success: {
      status: 200,
      description: "The booking",
      name: "BookingResponse",
      schema: bookingResponse,
    },
    errors: limited([400, 401, 404]),
  },
  {
    method: "post",
    path: "/v1/bookings/{booking_id}/cancel",
    summary: "Cancel a booking before the show (refunds; idempotent)",
    tag: "Bookings",
    access: "owner or admin",
    rateLimit: "booking",
    params: bookingIdParam,
    success: {
      status: 200,
      description: "The cancelled booking",
      name: "BookingResponse",
      schema: bookingResponse,
    },
    errors: limited([400, 401, 404, 409, 422]),
  },
  {
    method: "post",
    path: "/v1/payments",
    summary: "Pay a pending booking",
    tag: "Payments",
    access: "owner",
    rateLimit: "payment",
    idempotencyKey: "required",
    body: { name: "CreatePayment", schema: createPaymentSchema },
    success: { status: 200, description: "The payment", name: "Payment", schema: paymentSchema },
    errors: limited([400, 401, 404, 409, 413, 415, 422]),
  },
];
