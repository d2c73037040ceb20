import { and, asc, count, eq, isNull } from "drizzle-orm";
import { database } from "../db/database.ts";
import { webhooks } from "../db/schema.ts";

/** A webhook subscription as D1 keeps it (no secret: the webhook's object holds that). */
export interface WebhookRecord {
  webhookId: string;
  /** Whose events it receives: an organization's, or (null) every one's: the platform's own. */
  orgId: string | null;
  url: string;
  events: string[];
  /** ms since the epoch */
  createdAt: number;
  deletedAt: number | null;
}

function recordOf(row: typeof webhooks.$inferSelect): WebhookRecord {
  return {
    webhookId: row.webhookId,
    orgId: row.orgId,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    createdAt: Date.parse(row.createdAt),
    deletedAt: row.deletedAt === null ? null : Date.parse(row.deletedAt),
  };
}

/**
 * The webhooks not deleted, oldest first: every one, or (`orgId` given) one organization's
 * own (null: the platform's).
 */
export async function activeWebhooks(
  d1: D1Database,
  orgId?: string | null,
): Promise<WebhookRecord[]> {
  const ofOrg =
    orgId === undefined
      ? undefined
      : orgId === null
        ? isNull(webhooks.orgId)
        : eq(webhooks.orgId, orgId);
  const rows = await database(d1)
    .select()
    .from(webhooks)
    .where(and(isNull(webhooks.deletedAt), ofOrg))
    .orderBy(asc(webhooks.createdAt));
  return rows.map(recordOf);
}

/** The SQL of activeWebhooks() for every organization, built by drizzle once. */
let everyActiveSql: string | undefined;

/**
 * activeWebhooks() for every organization as one prepared statement, for a show object to
 * send in its D1 outbox's batch (src/show/d1/d1-outbox.ts read()); webhooksOf() reads its
 * answer.
 */
export function activeWebhooksStatement(d1: D1Database): D1PreparedStatement {
  everyActiveSql ??= database(d1)
    .select()
    .from(webhooks)
    .where(isNull(webhooks.deletedAt))
    .orderBy(asc(webhooks.createdAt))
    .toSQL().sql;
  return d1.prepare(everyActiveSql);
}

interface WebhookRow {
  webhook_id: string;
  org_id: string | null;
  url: string;
  events: string;
  created_at: string;
  deleted_at: string | null;
}

/** The records of activeWebhooksStatement()'s answer. */
export function webhooksOf(result: D1Result): WebhookRecord[] {
  return (result.results as WebhookRow[]).map((row) =>
    recordOf({
      webhookId: row.webhook_id,
      orgId: row.org_id,
      url: row.url,
      events: row.events,
      createdAt: row.created_at,
      deletedAt: row.deleted_at,
    }),
  );
}

/** Whether a webhook of `owner` receives the events of a show of `showOrg`. */
export function receivesEventsOf(owner: string | null, showOrg: string): boolean {
  return owner === null || owner === showOrg;
}

export async function findWebhook(
  d1: D1Database,
  webhookId: string,
): Promise<WebhookRecord | undefined> {
  const row = await database(d1)
    .select()
    .from(webhooks)
    .where(and(eq(webhooks.webhookId, webhookId), isNull(webhooks.deletedAt)))
    .get();
  return row ? recordOf(row) : undefined;
}

/** How many webhooks of the organization (null: the platform's) are not deleted. */
export async function countActiveWebhooks(d1: D1Database, orgId: string | null): Promise<number> {
  const row = await database(d1)
    .select({ n: count() })
    .from(webhooks)
    .where(
      and(
        isNull(webhooks.deletedAt),
        orgId === null ? isNull(webhooks.orgId) : eq(webhooks.orgId, orgId),
      ),
    )
    .get();
  return row?.n ?? 0;
}

/**
 * Inserts the webhook unless its organization (or the platform) has `max` live ones
 * already; false if refused. The count and the insert are one statement, so two creations
 * at once cannot both take the last place.
 */
export async function insertWebhookWithin(
  d1: D1Database,
  record: WebhookRecord,
  max: number,
): Promise<boolean> {
  const result = await d1
    .prepare(
      `INSERT INTO webhooks (webhook_id, org_id, url, events, created_at)
       SELECT ?1, ?6, ?2, ?3, ?4
       WHERE (SELECT count(*) FROM webhooks WHERE deleted_at IS NULL AND org_id IS ?6) < ?5`,
    )
    .bind(
      record.webhookId,
      record.url,
      JSON.stringify(record.events),
      new Date(record.createdAt).toISOString(),
      max,
      record.orgId,
    )
    .run();
  return result.meta.changes > 0;
}

/** Marks the webhook deleted; false if there was no live one. */
export async function markDeleted(d1: D1Database, webhookId: string, at: number): Promise<boolean> {
  const updated = await database(d1)
    .update(webhooks)
    .set({ deletedAt: new Date(at).toISOString() })
    .where(and(eq(webhooks.webhookId, webhookId), isNull(webhooks.deletedAt)))
    .returning({ webhookId: webhooks.webhookId });
  return updated.length > 0;
}
