import { z } from "zod";
import { opsRegistryStub } from "../contract/object-stubs.ts";
import { callerOrganization } from "../http/organization-scope.ts";
import { apiRoute, apiRouter, jsonAnswer } from "../openapi/api-route.ts";
import { owningOrganization } from "../organizations/owning-organization.ts";
import { webhookBacklog } from "../webhooks/webhook-backlog.ts";

const age = z.number().int().meta({ description: "Seconds since it started waiting" });

const stuckShowSchema = z.object({
  show_id: z.string(),
  reported_at: z.iso.datetime(),
  payments: z.array(
    z.object({
      booking_id: z.string(),
      charge_key: z.string(),
      status: z.string().meta({ description: "charging (under way) or unknown (to refund)" }),
      age_seconds: age,
    }),
  ),
  refunds: z.array(
    z.object({
      booking_id: z.string(),
      attempts: z.number().int(),
      age_seconds: age,
      next_try_at: z.iso.datetime(),
    }),
  ),
  cancellation: z
    .object({
      reason: z.string(),
      bookings: z.number().int().meta({ description: "Paid bookings to refund in all" }),
      refunded: z.number().int(),
      pending: z.number().int(),
      age_seconds: age,
    })
    .nullable()
    .meta({ description: "A cancelled show whose refunds are still going on, else null" }),
  outbox: z.object({ waiting: z.number().int(), age_seconds: age.nullable() }),
  dead_letters: z.array(
    z.object({ outbox_id: z.number().int(), error: z.string(), age_seconds: age }),
  ),
});

const webhookBacklogSchema = z.object({
  webhook_id: z.string(),
  pending: z.number().int().meta({ description: "Deliveries not tried yet" }),
  failing: z.number().int().meta({ description: "Deliveries tried and failing, still retried" }),
  failed: z.number().int().meta({ description: "Deliveries given up (kept 7 days)" }),
});

const opsStatusSchema = z
  .object({
    settled: z
      .boolean()
      .meta({ description: "True when no show has unsettled work and no webhook a backlog" }),
    checked_at: z.iso.datetime(),
    shows: z.array(stuckShowSchema),
    webhooks: z.array(webhookBacklogSchema).meta({
      description: "Webhooks with deliveries pending, failing or given up",
    }),
  })
  .meta({ id: "OpsStatus" });

const getStatus = apiRoute({
  method: "get",
  path: "/v1/admin/status",
  tags: ["Meta"],
  summary:
    "What is stuck now (an organizer: its organization's): unsettled payments, refunds (a cancelled show's too), D1 backlog, dead letters, webhook backlogs",
  description:
    "Shows report here when their unsettled work changes (from their alarm, which runs while anything is unsettled), so this reads one place and wakes no show.",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  responses: { 200: jsonAnswer(opsStatusSchema, "Every show with unsettled work") },
});

const iso = (ms: number) => new Date(ms).toISOString();

export const adminRoutes = apiRouter().openapi(getStatus, async (c) => {
  const now = Date.now();
  const secondsSince = (ms: number) => Math.max(0, Math.round((now - ms) / 1000));
  // An organizer sees its organization's shows and webhooks; the admin every one.
  const own = callerOrganization(c);
  const [listed, webhooks] = await Promise.all([
    opsRegistryStub(c.env).stuckShows(),
    webhookBacklog(c.env, own ?? undefined),
  ]);
  const owners = await Promise.all(
    listed.map((entry) => (own ? owningOrganization(c.env, "show_id", entry.showId) : null)),
  );
  const stuck = listed.filter((_, i) => !own || owners[i] === own);
  const shows = stuck.map(({ showId, work, reportedAt }) => ({
    show_id: showId,
    reported_at: iso(reportedAt),
    payments: work.payments.map((p) => ({
      booking_id: p.booking_id,
      charge_key: p.charge_key,
      status: p.status,
      age_seconds: secondsSince(p.since),
    })),
    refunds: work.refunds.map((r) => ({
      booking_id: r.booking_id,
      attempts: r.attempts,
      age_seconds: secondsSince(r.since),
      next_try_at: iso(r.next_try_at),
    })),
    cancellation: work.cancellation
      ? {
          reason: work.cancellation.reason,
          bookings: work.cancellation.bookings,
          refunded: work.cancellation.refunded,
          pending: work.cancellation.pending,
          age_seconds: secondsSince(work.cancellation.cancelled_at),
        }
      : null,
    outbox: {
      waiting: work.outbox.waiting,
      age_seconds: work.outbox.since === null ? null : secondsSince(work.outbox.since),
    },
    dead_letters: work.dead_letters.map((d) => ({
      outbox_id: d.outbox_id,
      error: d.error,
      age_seconds: secondsSince(d.since),
    })),
  }));
  const settled = shows.length === 0 && webhooks.length === 0;
  return c.json({ settled, checked_at: iso(now), shows, webhooks }, 200);
});
