import { z } from "zod";

/** Request and answer schemas of the waiting-room routes (routes/queue.ts). */

export const queueSettingsRequestSchema = z
  .object({
    admit_per_minute: z.number().int().min(1).max(100_000),
    opens_at: z.iso.datetime({ offset: true, message: "must be an ISO-8601 date-time" }).optional(),
    pass_ttl_seconds: z.number().int().min(60).max(3600).default(600),
  })
  .meta({
    id: "QueueSettingsRequest",
    example: { admit_per_minute: 600, opens_at: "2026-12-01T10:00:00Z", pass_ttl_seconds: 600 },
  });

export const queueSettingsSchema = z
  .object({
    enabled: z.boolean(),
    opens_at: z.string().nullable(),
    admit_per_minute: z.number().int().nullable(),
    pass_ttl_seconds: z.number().int().nullable(),
    waiting: z.number().int(),
    admitted: z.number().int(),
  })
  .meta({
    id: "QueueSettings",
    example: {
      enabled: true,
      opens_at: "2026-12-01T10:00:00.000Z",
      admit_per_minute: 600,
      pass_ttl_seconds: 600,
      waiting: 18_450,
      admitted: 1_200,
    },
  });

const waitingFields = {
  position: z.number().int().nullable().meta({
    description: "1-based place in the admission order; null while not known yet",
  }),
  ahead: z
    .number()
    .int()
    .nullable()
    .meta({ description: "Holders still waiting before this one; null while not known yet" }),
  position_known: z.boolean().meta({
    description:
      "False for a few seconds after joining, until every join before this one is counted; ask status again",
  }),
  estimated_wait_seconds: z.number().int().meta({
    description:
      "Until the opening plus (ahead + 1) admissions at the pace; while the place is not known, counting only those known to be ahead",
  }),
  admitted: z.literal(false),
};

const admittedFields = {
  admitted: z.literal(true),
  queue_pass: z.string().nullable().meta({
    description:
      "Send as X-Queue-Pass with POST /v1/seats/lock; null while the waiting room is off (locks need none)",
  }),
  pass_expires_at: z.string().nullable(),
};

export const queueStatusSchema = z.union([z.object(waitingFields), z.object(admittedFields)]).meta({
  id: "QueueStatus",
  example: {
    position: 1_523,
    ahead: 322,
    position_known: true,
    estimated_wait_seconds: 33,
    admitted: false,
  },
});

const ticketField = {
  queue_ticket: z.string().meta({ description: "Send as X-Queue-Ticket to the status route" }),
};

export const queueJoinSchema = z
  .union([
    z.object({ ...ticketField, ...waitingFields }),
    z.object({ ...ticketField, ...admittedFields }),
  ])
  .meta({
    id: "QueueJoin",
    example: {
      queue_ticket: "eyJ0IjoidGlja2V0Ii...Jx9.3q2-7Wf...",
      position: null,
      ahead: null,
      position_known: false,
      estimated_wait_seconds: 153,
      admitted: false,
    },
  });

export const queueTicketHeaders = z.object({
  "X-Queue-Ticket": z
    .string()
    .min(1)
    .max(1024)
    .meta({ description: "The queue_ticket of the join" }),
});

export const queuePassHeaders = z.object({
  "X-Queue-Pass": z.string().max(1024).optional().meta({
    description:
      "While the show's waiting room is on: the queue_pass of an admitted status (403 QUEUE_REQUIRED without it)",
  }),
});

export const queueStatsSchema = z
  .object({
    shards: z.number().int(),
    waiting: z.number().int(),
    admitted: z.number().int(),
    rows_written: z.object({ shards: z.number().int(), coordinator: z.number().int() }),
    as_of: z.string().meta({ description: "The coordinator's time of these counts" }),
  })
  .meta({
    id: "QueueStats",
    example: {
      shards: 16,
      waiting: 18_450,
      admitted: 1_550,
      rows_written: { shards: 40_000, coordinator: 95 },
      as_of: "2026-12-01T10:01:40.000Z",
    },
  });
