import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { app } from "../src/app.ts";
import {
  bookingListResponse,
  bookingResponse,
  createdBookingSchema,
  lockSchema,
  lockWithStatusSchema,
} from "../src/openapi/booking-response-schemas.ts";
import {
  eventListResponse,
  eventResponse,
  seatMapSchema,
  showListResponse,
  showResponse,
  venueResponse,
} from "../src/openapi/response-schemas.ts";
import { call, card, createShow, lockedSeats, postBooking } from "./support/helpers.ts";

interface Document {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

/** Hono's routes as `METHOD /path/{param}`, leaving out middleware and HEAD. */
function servedRoutes(): string[] {
  const routes = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.method === "HEAD") continue;
    routes.add(`${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
  }
  return [...routes].sort();
}

describe("GET /v1/openapi.json", () => {
  it("lists exactly the routes the app serves", async () => {
    const res = await call("GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    const document = (await res.json()) as Document;
    expect(document.openapi).toBe("3.1.0");
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented).toEqual(servedRoutes());
    expect(documented.length).toBeGreaterThanOrEqual(20);
  });
});

describe("the documented response schemas", () => {
  it("match what the API really answers", async () => {
    const { showId, eventId, venueId } = await createShow();
    const check = async (schema: z.ZodType, res: Response) => {
      expect(res.status).toBeLessThan(300);
      const result = schema.safeParse(await res.json());
      expect(result.success, result.success ? "" : JSON.stringify(result.error.issues)).toBe(true);
    };
    await check(eventResponse, await call("GET", `/v1/events/${eventId}`));
    await check(eventListResponse, await call("GET", "/v1/events"));
    await check(showListResponse, await call("GET", `/v1/events/${eventId}/shows`));
    await check(venueResponse, await call("GET", `/v1/venues/${venueId}`));
    await check(showResponse, await call("GET", `/v1/shows/${showId}`));
    await check(seatMapSchema, await call("GET", `/v1/shows/${showId}/seats`));

    const ctx = await lockedSeats(2);
    await check(
      lockWithStatusSchema,
      await call("GET", `/v1/seats/lock/${ctx.lock.lock_id}`, { token: ctx.token }),
    );
    expect(lockSchema.safeParse(ctx.lock).success).toBe(true);
    const booked = await postBooking(ctx.token, {
      show_id: ctx.showId,
      lock_id: ctx.lock.lock_id,
      seat_ids: ctx.seats,
      user_id: ctx.user,
      payment_method: card(),
    });
    const { booking } = createdBookingSchema.parse(await booked.json());
    await check(
      bookingResponse,
      await call("GET", `/v1/bookings/${booking.booking_id}`, { token: ctx.token }),
    );
    await check(bookingListResponse, await call("GET", "/v1/bookings", { token: ctx.token }));
  });
});
