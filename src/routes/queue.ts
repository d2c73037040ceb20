import { CatalogD1 } from "../catalog/catalog-d1.ts";
import { database } from "../db/database.ts";
import { ApiError, invalidInput, notFound } from "../http/api-error.ts";
import { apiRoute, apiRouter, jsonAnswer, jsonRequest } from "../openapi/api-route.ts";
import { idParam } from "../openapi/shared-schemas.ts";
import { standingAnswer } from "../queue/queue-answers.ts";
import { coordinatorStub, shardStub } from "../queue/queue-coordinator.ts";
import { shardOf } from "../queue/queue-order.ts";
import {
  queueJoinSchema,
  queueSettingsRequestSchema,
  queueSettingsSchema,
  queueStatsSchema,
  queueStatusSchema,
  queueTicketHeaders,
} from "../queue/queue-schemas.ts";
import type { QueueSnapshot } from "../queue/queue-snapshot.ts";
import { readTicket, signTicket } from "../queue/queue-tokens.ts";
import { queueSnapshot, rememberQueueSnapshot } from "../queue/snapshot-cache.ts";
import { showClient } from "../show-client/show-client.ts";

const showParam = idParam("show_id", "show");
const settingsAnswer = jsonAnswer(queueSettingsSchema, "The waiting room's settings and counts");

const putSettings = apiRoute({
  method: "put",
  path: "/v1/shows/{show_id}/queue",
  tags: ["Waiting room"],
  summary: "Turn the show's waiting room on, or change its settings",
  description:
    "Joins before `opens_at` are put in a random order at the opening; later joins are first come, first served. Admission runs at `admit_per_minute`, spread evenly over the minute; an admitted holder gets a pass valid `pass_ttl_seconds`. Once the opening has passed, `opens_at` cannot move into the future again (409 QUEUE_ALREADY_ADMITTING): turn the queue off and on for a new line.",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404, 409],
  request: { params: showParam, body: jsonRequest(queueSettingsRequestSchema) },
  responses: { 200: settingsAnswer },
});

const deleteSettings = apiRoute({
  method: "delete",
  path: "/v1/shows/{show_id}/queue",
  tags: ["Waiting room"],
  summary: "Turn the show's waiting room off: locks need no pass, the line is dropped",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam },
  responses: { 200: settingsAnswer },
});

const getSettings = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/queue",
  tags: ["Waiting room"],
  summary: "The waiting room's settings and counts (up to a second old)",
  access: "public",
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam },
  responses: { 200: settingsAnswer },
});

const join = apiRoute({
  method: "post",
  path: "/v1/shows/{show_id}/queue/join",
  tags: ["Waiting room"],
  summary: "Join the show's waiting room (the same user keeps the same place)",
  description:
    "Answers a signed `queue_ticket` and the place in line. A new place is not known at once (`position_known: false`, `position` and `ahead` null) until the waiting room has counted every join before it, within a few seconds: poll status. Joining again gives the same place, unless the holder's turn came and its pass expired: then a new place at the back. 404 when the show has no waiting room on.",
  access: "user",
  rateLimit: "queue",
  errors: [404],
  request: { params: showParam },
  responses: { 200: jsonAnswer(queueJoinSchema, "The ticket and where it stands") },
});

const status = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/queue/status",
  tags: ["Waiting room"],
  summary: "Where a queue ticket stands; once admitted, the pass for locking seats",
  description:
    "Answered in the Worker from the signed ticket and an admission cursor cached for about a second: no object is asked and no rate-limit object is counted, so polling every few seconds costs the show nothing. `position` and `ahead` are null (`position_known: false`) for a few seconds after the join, until every join before it is counted. While the waiting room is off the answer is `admitted: true` with no pass (`queue_pass` null): locks need none. A bad ticket is 400 naming X-Queue-Ticket; a turn that passed more than `pass_ttl_seconds` ago is 403 QUEUE_PASS_INVALID with `details.join_url`.",
  access: "public",
  errors: [403],
  request: { params: showParam, headers: queueTicketHeaders },
  responses: { 200: jsonAnswer(queueStatusSchema, "Waiting (place, wait) or admitted (pass)") },
});

const stats = apiRoute({
  method: "get",
  path: "/v1/shows/{show_id}/queue/stats",
  tags: ["Waiting room"],
  summary: "The waiting room's counts and storage rows written, read from its coordinator",
  description:
    "For operators and the benchmark: storage rows written by the shards and the coordinator since they started (an object that restarts counts from zero).",
  access: "organizer (own organization) or admin",
  rateLimit: "catalog",
  errors: [404],
  request: { params: showParam },
  responses: { 200: jsonAnswer(queueStatsSchema, "Counts of the line and of its writes") },
});

function settingsView(snapshot: QueueSnapshot) {
  if (!snapshot.enabled) {
    return {
      enabled: false,
      opens_at: null,
      admit_per_minute: null,
      pass_ttl_seconds: null,
      waiting: 0,
      admitted: 0,
    };
  }
  const { settings } = snapshot;
  return {
    enabled: true,
    opens_at: new Date(settings.opensAt).toISOString(),
    admit_per_minute: settings.admitPerMinute,
    pass_ttl_seconds: settings.passTtlSeconds,
    waiting: snapshot.waiting,
    admitted: snapshot.admitted,
  };
}

function shardsOf(env: Env): number {
  const configured = Number(env.QUEUE_SHARDS);
  return Number.isInteger(configured) && configured >= 1 && configured <= 256 ? configured : 16;
}

export const queueRoutes = apiRouter()
  .openapi(putSettings, async (c) => {
    const { show_id } = c.req.valid("param");
    const body = c.req.valid("json");
    await showClient(c.env, show_id);
    // Without opens_at, the line opens with the sale (the show's sales_start), if later.
    const salesStart = body.opens_at ? undefined : await salesStartOf(c.env, show_id);
    const configured = await coordinatorStub(c.env, show_id).configure(
      {
        admitPerMinute: body.admit_per_minute,
        opensAt: body.opens_at ? Date.parse(body.opens_at) : (salesStart ?? null),
        passTtlSeconds: body.pass_ttl_seconds,
      },
      shardsOf(c.env),
    );
    if (!configured.ok) throw ApiError.from(configured.error);
    rememberQueueSnapshot(show_id, configured.snapshot);
    return c.json(settingsView(configured.snapshot), 200);
  })
  .openapi(deleteSettings, async (c) => {
    const { show_id } = c.req.valid("param");
    await showClient(c.env, show_id);
    const snapshot = await coordinatorStub(c.env, show_id).disable();
    rememberQueueSnapshot(show_id, snapshot);
    return c.json(settingsView(snapshot), 200);
  })
  .openapi(getSettings, async (c) => {
    const { show_id } = c.req.valid("param");
    await showClient(c.env, show_id);
    return c.json(settingsView(await queueSnapshot(c.env, show_id)), 200);
  })
  .openapi(stats, async (c) => {
    const { show_id } = c.req.valid("param");
    await showClient(c.env, show_id);
    const snapshot = await coordinatorStub(c.env, show_id).snapshot();
    if (!snapshot.enabled) throw notFound("queue", show_id);
    return c.json(
      {
        shards: snapshot.settings.shards,
        waiting: snapshot.waiting,
        admitted: snapshot.admitted,
        rows_written: snapshot.rowsWritten,
        as_of: new Date(snapshot.at).toISOString(),
      },
      200,
    );
  })
  .openapi(join, async (c) => {
    const { show_id } = c.req.valid("param");
    await showClient(c.env, show_id);
    const snapshot = await queueSnapshot(c.env, show_id);
    if (!snapshot.enabled) throw notFound("queue", show_id);
    const { userId } = c.get("principal");
    const { settings } = snapshot;
    const shard = shardOf(userId, settings.shards);
    const { entry } = await shardStub(c.env, show_id, settings.generation, shard).join({
      shard,
      userId,
      opensAt: settings.opensAt,
      cursor: snapshot.cursor,
      expiredCursor: snapshot.expiredCursor,
    });
    const holder = { userId, showId: show_id, generation: settings.generation, entry };
    const secret = c.env.JWT_SECRET;
    const queue_ticket = await signTicket(holder, secret);
    // The shard gave a new place to a holder whose turn passed, so this is never "expired".
    const standing = await standingAnswer(holder, snapshot, secret);
    return c.json({ queue_ticket, ...standing }, 200);
  })
  .openapi(status, async (c) => {
    const { show_id } = c.req.valid("param");
    const token = c.req.valid("header")["X-Queue-Ticket"];
    const ticket = await readTicket(token, c.env.JWT_SECRET);
    if (!ticket || ticket.showId !== show_id) {
      throw invalidInput("X-Queue-Ticket", "not a queue ticket of this show");
    }
    const snapshot = await queueSnapshot(c.env, show_id);
    if (snapshot.enabled && snapshot.settings.generation !== ticket.generation) {
      throw invalidInput("X-Queue-Ticket", "from an earlier waiting room of this show; join again");
    }
    return c.json(await standingAnswer(ticket, snapshot, c.env.JWT_SECRET), 200);
  });

/** The show's sales_start (epoch ms) when it is still ahead, from the catalog. */
async function salesStartOf(env: Env, showId: string): Promise<number | undefined> {
  const record = await new CatalogD1(database(env.DB)).getShow(showId);
  const start = record?.show.salesStart ? Date.parse(record.show.salesStart) : undefined;
  return start !== undefined && start > Date.now() ? start : undefined;
}
