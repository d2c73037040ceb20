import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { methodNotAllowed } from "hono/method-not-allowed";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { ApiError } from "./http/api-error.ts";
import type { AppEnv } from "./http/app-env.ts";
import { handleError, handleMethodNotAllowed, handleNotFound } from "./http/error-handler.ts";
import { requestLog } from "./http/request-log.ts";
import { newId } from "./lib/ids.ts";
import { apiRouter } from "./openapi/api-route.ts";
import { buildOpenApiDocument } from "./openapi/openapi-document.ts";
import { adminRoutes } from "./routes/admin.ts";
import { bookingRoutes } from "./routes/bookings.ts";
import { checkinRoutes } from "./routes/checkins.ts";
import { devTokenRoutes } from "./routes/dev-tokens.ts";
import { eventRoutes } from "./routes/events.ts";
import { liveFeedRoutes } from "./routes/live-feed.ts";
import { healthRoutes, openApiDocumentRoute } from "./routes/meta.ts";
import { organizationRoutes } from "./routes/organizations.ts";
import { paymentConfigRoutes } from "./routes/payment-config.ts";
import { paymentWebhookRoutes, razorpayWebhookRoutes } from "./routes/payment-webhooks.ts";
import { paymentRoutes } from "./routes/payments.ts";
import { queueRoutes } from "./routes/queue.ts";
import { seatLockRoutes } from "./routes/seat-locks.ts";
import { seatMapRoutes } from "./routes/seat-map.ts";
import { showAdminRoutes } from "./routes/show-admin.ts";
import { showHoldRoutes } from "./routes/show-holds.ts";
import { layoutRoutes } from "./routes/show-layout.ts";
import { showSalesRoutes } from "./routes/show-sales.ts";
import { showRoutes } from "./routes/shows.ts";
import { ticketResaleRoutes } from "./routes/ticket-resale.ts";
import { ticketTransferRoutes } from "./routes/ticket-transfers.ts";
import { ticketWalletRoutes } from "./routes/ticket-wallet.ts";
import { ticketRoutes } from "./routes/tickets.ts";
import { venueRoutes } from "./routes/venues.ts";
import { waitlistRoutes } from "./routes/waitlist.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

/** The origin to allow: one listed in CORS_ORIGINS (comma-separated), or any for "*". */
function allowedOrigin(origin: string, configured: string): string | null {
  const allowed = configured
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (allowed.includes("*")) return origin || "*";
  return allowed.includes(origin) ? origin : null;
}

/** Largest request body accepted; the biggest legitimate one (a venue layout) is far smaller. */
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * POST /v1/checkins/batch's own limit: its 500 scans of real tokens (up to about 480
 * characters) with 64-character gate and device ids are about 340 KiB, which 64 KiB would
 * cut to some 100 scans.
 */
export const MAX_BATCH_BODY_BYTES = 512 * 1024;

/** Every route, each declared once with its full path (routes/*.ts). */
const api = apiRouter()
  .route("/", healthRoutes)
  .route("/", eventRoutes)
  .route("/", venueRoutes)
  .route("/", showRoutes)
  .route("/", seatMapRoutes)
  .route("/", layoutRoutes)
  .route("/", showAdminRoutes)
  .route("/", showHoldRoutes)
  .route("/", liveFeedRoutes)
  .route("/", seatLockRoutes)
  .route("/", bookingRoutes)
  .route("/", paymentRoutes)
  .route("/", paymentConfigRoutes)
  .route("/", organizationRoutes)
  .route("/", showSalesRoutes)
  .route("/", waitlistRoutes)
  .route("/", paymentWebhookRoutes)
  .route("/", razorpayWebhookRoutes)
  .route("/", queueRoutes)
  .route("/", ticketRoutes)
  .route("/", ticketWalletRoutes)
  .route("/", ticketTransferRoutes)
  .route("/", ticketResaleRoutes)
  .route("/", checkinRoutes)
  .route("/", devTokenRoutes)
  .route("/", adminRoutes)
  .route("/", webhookRoutes);

/** The app's routes as a type, for `hc<AppType>` clients (src/client.ts). */
export type AppType = typeof api;

/** Built on first use, once per isolate: it never changes while the code does not. */
let document: Record<string, unknown> | undefined;
export function openApiDocument(): Record<string, unknown> {
  document ??= buildOpenApiDocument(api);
  return document;
}
api.openapi(openApiDocumentRoute, (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json(openApiDocument(), 200);
});

export const app = new Hono<AppEnv>();

app.use(requestId({ limitLength: 128, generator: () => newId("req") }));
app.use(requestLog());
app.use(
  secureHeaders({
    // An API answers JSON: nothing in it may load or frame anything.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: "DENY",
    // A header a route set itself stays: the ticket page (HTML) sends its own CSP.
    overwrite: false,
  }),
);
app.use(
  "/v1/*",
  cors({
    origin: (origin, c) => allowedOrigin(origin, (c.env as Env).CORS_ORIGINS),
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: [
      "Authorization",
      "Content-Type",
      "Idempotency-Key",
      "If-None-Match",
      "X-Request-Id",
      "X-Queue-Ticket",
      "X-Queue-Pass",
    ],
    exposeHeaders: [
      "X-Request-Id",
      "ETag",
      "Retry-After",
      "Idempotent-Replayed",
      "X-RateLimit-Limit",
      "X-RateLimit-Remaining",
      "X-RateLimit-Reset",
      "RateLimit",
      "RateLimit-Policy",
    ],
    maxAge: 600,
  }),
);
app.use(methodNotAllowed({ app, onMethodNotAllowed: handleMethodNotAllowed }));
function limitBodies(maxSize: number) {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(
        413,
        "PAYLOAD_TOO_LARGE",
        `Request bodies are limited to ${maxSize} bytes`,
        {
          limit_bytes: maxSize,
        },
      );
    },
  });
}
// One route takes larger bodies (an offline door's backlog); every other keeps 64 KiB.
const defaultBodyLimit = limitBodies(MAX_BODY_BYTES);
const batchBodyLimit = limitBodies(MAX_BATCH_BODY_BYTES);
app.use("/v1/*", (c, next) =>
  c.req.path === "/v1/checkins/batch" ? batchBodyLimit(c, next) : defaultBodyLimit(c, next),
);
app.route("/", api);
app.notFound(handleNotFound);
app.onError(handleError);
