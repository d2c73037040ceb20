import { and, asc, count, eq, isNull } from "drizzle-orm";
import { database } from "../db/database.ts";
import { webhooks } from "../db/schema.ts";

/** A webhook subscription as D1 keeps it (no secret: the webhook's object holds that). */
export interface WebhookRecord {
  webhookId: string;
  url: string;
  events: string[];
  /** ms since the epoch */
  createdAt: number;
  deletedAt: number | null;
}

function recordOf(row: typeof webhooks.$inferSelect): WebhookRecord {
  return {
    webhookId: row.webhookId,
    url: row.url,
    events: JSON.parse(row.events) as string[],
    createdAt: Date.parse(row.createdAt),
    deletedAt: row.deletedAt === null ? null : Date.parse(row.deletedAt),
  };
}

/** The webhooks not deleted, oldest first. */
export async function activeWebhooks(d1: D1Database): Promise<WebhookRecord[]> {
  const rows = await database(d1)
    .select()
    .from(webhooks)
    .where(isNull(webhooks.deletedAt))
    .orderBy(asc(webhooks.createdAt));
  return rows.map(recordOf);
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

/** How many webhooks are not deleted. */
export async function countActiveWebhooks(d1: D1Database): Promise<number> {
  const row = await database(d1)
    .select({ n: count() })
    .from(webhooks)
    .where(isNull(webhooks.deletedAt))
    .get();
  return row?.n ?? 0;
}

/**
 * Inserts the webhook unless `max` live ones exist already; false if refused. The count
 * and the insert are one statement, so two creations at once cannot both take the last
 * place.
 */
export async function insertWebhookWithin(
  d1: D1Database,
  record: WebhookRecord,
  max: number,
): Promise<boolean> {
  const result = await d1
    .prepare(
      `INSERT INTO webhooks (webhook_id, url, events, created_at)
       SELECT ?1, ?2, ?3, ?4
       WHERE (SELECT count(*) FROM webhooks WHERE deleted_at IS NULL) < ?5`,
    )
    .bind(
      record.webhookId,
      record.url,
      JSON.stringify(record.events),
      new Date(record.createdAt).toISOString(),
      max,
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
