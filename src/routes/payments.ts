import { Hono } from "hono";
import { createPaymentSchema } from "../bookings/booking-schemas.ts";
import type { AppEnv } from "../http/app-env.ts";
import { authenticate } from "../http/authenticate.ts";
import { idempotency } from "../http/idempotency.ts";
import { rateLimit } from "../http/rate-limit.ts";
import { respond } from "../http/show-response.ts";
import { jsonBody } from "../http/validation.ts";
import { forgetSeatMap } from "../show-client/seat-map-cache.ts";
import { owningShowStub } from "../show-client/show-stub.ts";

export const paymentRoutes = new Hono<AppEnv>().post(
  "/",
  authenticate(),
  rateLimit("payment"),
  jsonBody(createPaymentSchema),
  idempotency("POST /v1/payments", { required: true }),
  async (c) => {
    const body = c.req.valid("json");
    const { showId, stub } = await owningShowStub(c.env, "booking", body.booking_id);
    const reply = await stub.payBooking(
      {
        userId: c.get("principal").userId,
        bookingId: body.booking_id,
        amount: body.amount,
        card: body.payment_method,
      },
      { requestId: c.get("requestId"), idempotency: c.get("idempotency") },
    );
    forgetSeatMap(showId);
    return respond(c, reply);
  },
);
