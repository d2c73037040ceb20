import { createPaymentSchema } from "../bookings/booking-schemas.ts";
import { respondOrWait } from "../http/show-response.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { paymentSchema, paymentWaitingSchema } from "../openapi/booking-response-schemas.ts";
import { acceptedMethod } from "../payments/accepted-methods.ts";
import { owningShowClient } from "../show-client/show-client.ts";

const payBooking = apiRoute({
  method: "post",
  path: "/v1/payments",
  tags: ["Payments"],
  summary: "Pay a pending booking",
  access: "owner",
  rateLimit: "payment",
  idempotencyKey: "required",
  errors: [404, 409],
  request: { body: jsonRequest(createPaymentSchema) },
  responses: {
    200: jsonAnswer(paymentSchema, "The payment"),
    202: jsonAnswer(
      paymentWaitingSchema,
      "The booking, pending: the payment waits for the buyer's action (3-D Secure)",
    ),
  },
});

export const paymentRoutes = apiRouter().openapi(payBooking, async (c) => {
  const body = c.req.valid("json");
  const stub = await owningShowClient(c.env, "booking", body.booking_id);
  const reply = await stub.payBooking(
    {
      userId: c.get("principal").userId,
      bookingId: body.booking_id,
      amount: body.amount,
      method: acceptedMethod(c.env, body.payment_method),
    },
    { requestId: c.get("requestId"), idempotency: c.get("idempotency") },
  );
  return respondOrWait(c, reply, 200);
});
