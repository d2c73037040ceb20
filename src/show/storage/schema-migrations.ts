/**
 * The show object's SQLite schema, as numbered steps applied once each, in order, in one
 * transaction with the version they reach. Every table of the object is here (its seats,
 * locks, bookings, payments, check-ins, holds, idempotency records, D1 and webhook outboxes,
 * live feed), so this file is the schema's whole history: a change is a new step at the end,
 * never an edit of an old one. Durable Objects' SQLite refuses writes of PRAGMA
 * user_version (SQLITE_AUTH), so the version is kept in a one-row table of its own.
 */

const MIGRATIONS: readonly ((sql: SqlStorage) => void)[] = [
  // 1. The tables as the object first had them (objects made before this runner have them
  // all, or some: IF NOT EXISTS).
  (sql) =>
    sql.exec(`
    CREATE TABLE IF NOT EXISTS show_info (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      info TEXT NOT NULL,
      version INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS seats (
      seat_id TEXT PRIMARY KEY,
      row TEXT NOT NULL,
      number INTEGER NOT NULL,
      zone TEXT NOT NULL,
      price REAL NOT NULL,
      position INTEGER NOT NULL,
      booking_id TEXT
    );
    CREATE TABLE IF NOT EXISTS locks (
      lock_id TEXT PRIMARY KEY,
      user_id TEXT NOT NULL,
      seat_ids TEXT NOT NULL,
      locked_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('locked', 'released', 'expired', 'confirmed')),
      ended_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS locks_live ON locks (status) WHERE status = 'locked';
    CREATE TABLE IF NOT EXISTS bookings (
      booking_id TEXT PRIMARY KEY,
      lock_id TEXT NOT NULL UNIQUE,
      user_id TEXT NOT NULL,
      seat_ids TEXT NOT NULL,
      total_minor INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled', 'expired')),
      direct INTEGER NOT NULL,
      payment_id TEXT,
      ticket_id TEXT,
      card_brand TEXT,
      card_last4 TEXT,
      created_at INTEGER NOT NULL,
      confirmed_at INTEGER,
      cancelled_at INTEGER
    );
    CREATE TABLE IF NOT EXISTS cancellations (
      booking_id TEXT PRIMARY KEY,
      requested_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_try_at INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS bookings_ticket ON bookings (ticket_id) WHERE ticket_id IS NOT NULL;
    CREATE TABLE IF NOT EXISTS payment_attempts (
      charge_key TEXT PRIMARY KEY,
      booking_id TEXT NOT NULL,
      lock_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('charging', 'succeeded', 'declined', 'unknown', 'refunded', 'no_charge')),
      started_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS payment_attempts_open ON payment_attempts (status)
      WHERE status IN ('charging', 'unknown');
    CREATE TABLE IF NOT EXISTS checkins (
      ticket_id TEXT PRIMARY KEY,
      booking_id TEXT NOT NULL,
      checked_in_at INTEGER NOT NULL,
      gate TEXT,
      device_id TEXT,
      scan_id TEXT
    );
    CREATE TABLE IF NOT EXISTS checkin_meta (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      version INTEGER NOT NULL
    );
    INSERT OR IGNORE INTO checkin_meta (id, version) VALUES (1, 0);
    CREATE TABLE IF NOT EXISTS operations (
      scope TEXT PRIMARY KEY,
      request_hash TEXT NOT NULL,
      status INTEGER,
      body TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS d1_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      statement TEXT NOT NULL,
      params TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      enqueued_at INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS d1_dead_letters (
      id INTEGER PRIMARY KEY,
      statement TEXT NOT NULL,
      params TEXT NOT NULL,
      error TEXT NOT NULL,
      failed_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS webhook_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      ordering_key TEXT NOT NULL,
      body TEXT NOT NULL,
      occurred_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS seat_holds (
      hold_id TEXT PRIMARY KEY,
      seat_ids TEXT NOT NULL,
      reason TEXT NOT NULL,
      label TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS live_relays (name TEXT PRIMARY KEY);
    CREATE TABLE IF NOT EXISTS live_changes (
      to_version INTEGER PRIMARY KEY,
      from_version INTEGER NOT NULL,
      changes TEXT NOT NULL
    );`),
  // 2. Columns later versions added before this runner existed: an object made then may
  // have any of them already, so each is added only where missing (the one place that asks).
  (sql) => {
    addMissingColumn(sql, "locks", "prices", "TEXT");
    addMissingColumn(sql, "bookings", "seat_prices", "TEXT");
    addMissingColumn(sql, "cancellations", "attempts", "INTEGER NOT NULL DEFAULT 0");
    addMissingColumn(sql, "cancellations", "next_try_at", "INTEGER NOT NULL DEFAULT 0");
    addMissingColumn(sql, "d1_outbox", "enqueued_at", "INTEGER NOT NULL DEFAULT 0");
  },
  // 3. The column says what the field says: a booking created together with its payment.
  (sql) => sql.exec("ALTER TABLE bookings RENAME COLUMN direct TO created_with_card"),
  // 4. A payment provider's webhook events, each applied once (by its id).
  (sql) =>
    sql.exec(`CREATE TABLE IF NOT EXISTS provider_events (
      event_id TEXT PRIMARY KEY,
      type TEXT NOT NULL,
      payment_id TEXT,
      received_at INTEGER NOT NULL
    )`),
  // 5. Payments that wait for the buyer (3-D Secure, a provider's checkout): an attempt may
  // be 'requires_action', with the provider's payment id and when it was last asked about;
  // a booking may be 'failed' (its payment failed in the provider's page), and its lock may
  // then be booked again, so a lock may have several bookings (one live at most); a payment
  // that went through after its booking expired is refunded, recorded in late_refunds.
  // SQLite cannot change a CHECK in place: both tables are rebuilt, rows kept.
  (sql) =>
    sql.exec(`
    CREATE TABLE bookings_v5 (
      booking_id TEXT PRIMARY KEY,
      lock_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      seat_ids TEXT NOT NULL,
      total_minor INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled', 'expired', 'failed')),
      created_with_card INTEGER NOT NULL,
      payment_id TEXT,
      ticket_id TEXT,
      card_brand TEXT,
      card_last4 TEXT,
      created_at INTEGER NOT NULL,
      confirmed_at INTEGER,
      cancelled_at INTEGER,
      seat_prices TEXT
    );
    INSERT INTO bookings_v5 (booking_id, lock_id, user_id, seat_ids, total_minor, status,
      created_with_card, payment_id, ticket_id, card_brand, card_last4, created_at,
      confirmed_at, cancelled_at, seat_prices)
    SELECT booking_id, lock_id, user_id, seat_ids, total_minor, status, created_with_card,
      payment_id, ticket_id, card_brand, card_last4, created_at, confirmed_at, cancelled_at,
      seat_prices FROM bookings;
    DROP TABLE bookings;
    ALTER TABLE bookings_v5 RENAME TO bookings;
    CREATE INDEX bookings_ticket ON bookings (ticket_id) WHERE ticket_id IS NOT NULL;
    CREATE INDEX bookings_lock ON bookings (lock_id, created_at);
    CREATE TABLE payment_attempts_v5 (
      charge_key TEXT PRIMARY KEY,
      booking_id TEXT NOT NULL,
      lock_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('charging', 'requires_action', 'succeeded', 'declined', 'unknown', 'refunded', 'no_charge')),
      started_at INTEGER NOT NULL,
      payment_id TEXT,
      checked_at INTEGER
    );
    INSERT INTO payment_attempts_v5 (charge_key, booking_id, lock_id, amount_minor, status, started_at)
    SELECT charge_key, booking_id, lock_id, amount_minor, status, started_at FROM payment_attempts;
    DROP TABLE payment_attempts;
    ALTER TABLE payment_attempts_v5 RENAME TO payment_attempts;
    CREATE INDEX payment_attempts_open ON payment_attempts (status)
      WHERE status IN ('charging', 'unknown', 'requires_action');
    CREATE INDEX payment_attempts_booking ON payment_attempts (booking_id);
    CREATE TABLE late_refunds (
      charge_key TEXT PRIMARY KEY,
      booking_id TEXT NOT NULL,
      payment_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded')),
      refund_id TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_try_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX late_refunds_booking ON late_refunds (booking_id);`),
  // 6. What each seat offers for access (wheelchair, companion, aisle, limited_view).
  (sql) => addMissingColumn(sql, "seats", "accessibility", "TEXT"),
  // 7. A buyer's bookings, for the show's per-buyer limit.
  (sql) => sql.exec("CREATE INDEX IF NOT EXISTS bookings_user ON bookings (user_id, status)"),
  // 8. Access codes (presales, allocations' keys): stored hashed; a lock made with one.
  (sql) => {
    sql.exec(`CREATE TABLE IF NOT EXISTS access_codes (
      access_code_id TEXT PRIMARY KEY,
      code_hash TEXT NOT NULL,
      max_uses INTEGER NOT NULL,
      valid_from INTEGER,
      valid_until INTEGER,
      zones TEXT,
      allocation TEXT,
      price_override REAL,
      revoked_at INTEGER,
      created_at INTEGER NOT NULL
    )`);
    addMissingColumn(sql, "locks", "access_code_id", "TEXT");
    sql.exec(
      "CREATE INDEX IF NOT EXISTS locks_access_code ON locks (access_code_id, status) WHERE access_code_id IS NOT NULL",
    );
  },
  // 9. The waitlist of a sold-out show: who waits, in the order they joined, and the lock
  // offered to each (a row leaves when its offer ends, or its buyer leaves).
  (sql) =>
    sql.exec(`CREATE TABLE IF NOT EXISTS waitlist (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      user_id TEXT NOT NULL UNIQUE,
      quantity INTEGER NOT NULL,
      zone TEXT,
      joined_at INTEGER NOT NULL,
      lock_id TEXT,
      offered_at INTEGER
    )`),
  // 10. A seat's price category (seats priced apart from their zone).
  (sql) => addMissingColumn(sql, "seats", "category", "TEXT"),
  // 11. A confirmed booking's tickets, one per seat (or, later, per general-admission
  // place: no seat, a zone), issued with its confirmation; a booking confirmed before has
  // none here and keeps its one ticket, bookings.ticket_id. Check-ins by booking: a
  // cancellation asks whether any of its tickets was used.
  (sql) =>
    sql.exec(`
    CREATE TABLE IF NOT EXISTS tickets (
      ticket_id TEXT PRIMARY KEY,
      booking_id TEXT NOT NULL,
      seat_id TEXT,
      zone TEXT,
      user_id TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('valid', 'void')),
      void_reason TEXT,
      issued_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS tickets_booking ON tickets (booking_id);
    CREATE INDEX IF NOT EXISTS checkins_booking ON checkins (booking_id);`),
  // 12. Standing (general-admission) areas: their places as counts (locked ones are counted
  // from the live locks), and the places a lock, a booking or a hold takes.
  (sql) => {
    sql.exec(`CREATE TABLE IF NOT EXISTS areas (
      zone TEXT PRIMARY KEY,
      capacity INTEGER NOT NULL,
      booked INTEGER NOT NULL DEFAULT 0,
      held INTEGER NOT NULL DEFAULT 0
    )`);
    addMissingColumn(sql, "locks", "areas", "TEXT");
    addMissingColumn(sql, "bookings", "areas", "TEXT");
    addMissingColumn(sql, "seat_holds", "areas", "TEXT");
  },
  // 13. Re-entry and headcount (issue 28, item 5): every scan of a ticket, in and out, and
  // whether it counts, so the headcount is derived from stored facts. Check-ins made before
  // are each ticket's one `in`.
  (sql) =>
    sql.exec(`
    CREATE TABLE IF NOT EXISTS checkin_scans (
      seq INTEGER PRIMARY KEY AUTOINCREMENT,
      ticket_id TEXT NOT NULL,
      direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
      at INTEGER NOT NULL,
      gate TEXT,
      device_id TEXT,
      scan_id TEXT,
      accepted INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS checkin_scans_ticket ON checkin_scans (ticket_id, at);
    INSERT INTO checkin_scans (ticket_id, direction, at, gate, device_id, scan_id, accepted)
      SELECT ticket_id, 'in', checked_in_at, gate, device_id, scan_id, 1 FROM checkins;`),
  // 14. Ticket transfers and the door's manifest since a version: the log of ticket status
  // changes (storage/ticket-change-log.ts), its rowid the manifest's version. It starts with
  // a change of every ticket, so a version from before it (or of the old "<seats>.<check-
  // ins>" form) gets the whole manifest.
  (sql) =>
    sql.exec(`
    CREATE TABLE IF NOT EXISTS ticket_changes (
      version INTEGER PRIMARY KEY,
      booking_id TEXT,
      ticket_id TEXT
    );
    INSERT INTO ticket_changes (booking_id, ticket_id) VALUES (NULL, NULL);`),
  // 15. Face-value resale (storage/resale-storage.ts): holders' listings (one open listing
  // per seat; the ended ones kept as history), and the seller's refund of each resold
  // ticket, owed in the sale's own step and retried until the provider confirms it.
  (sql) =>
    sql.exec(`
    CREATE TABLE IF NOT EXISTS resale_listings (
      listing_id INTEGER PRIMARY KEY AUTOINCREMENT,
      ticket_id TEXT NOT NULL,
      seat_id TEXT NOT NULL,
      booking_id TEXT NOT NULL,
      user_id TEXT NOT NULL,
      price REAL NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('open', 'sold', 'withdrawn')),
      listed_at INTEGER NOT NULL,
      ended_at INTEGER,
      buyer_booking_id TEXT
    );
    CREATE UNIQUE INDEX IF NOT EXISTS resale_listings_open_seat
      ON resale_listings (seat_id) WHERE status = 'open';
    CREATE TABLE IF NOT EXISTS resale_refunds (
      ticket_id TEXT PRIMARY KEY,
      booking_id TEXT NOT NULL,
      buyer_booking_id TEXT NOT NULL,
      amount_minor INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded')),
      refund_id TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_try_at INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      refunded_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS resale_refunds_booking ON resale_refunds (booking_id);`),
  // 16. The two outboxes number their rows without AUTOINCREMENT: a row's id only orders it
  // among the rows waiting (a new one always gets a larger id than every row still there),
  // and AUTOINCREMENT cost every change a write of sqlite_sequence, a page of its own in each
  // commit (issue 29). A dead letter has its own id now (d1-outbox.ts), as an outbox id may
  // come back once the queue has been empty. Rebuilt, rows kept.
  (sql) =>
    sql.exec(`
    CREATE TABLE d1_outbox_v16 (
      id INTEGER PRIMARY KEY,
      statement TEXT NOT NULL,
      params TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      enqueued_at INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO d1_outbox_v16 (id, statement, params, attempts, enqueued_at)
      SELECT id, statement, params, attempts, enqueued_at FROM d1_outbox;
    DROP TABLE d1_outbox;
    ALTER TABLE d1_outbox_v16 RENAME TO d1_outbox;
    CREATE TABLE webhook_outbox_v16 (
      seq INTEGER PRIMARY KEY,
      event_id TEXT NOT NULL,
      type TEXT NOT NULL,
      ordering_key TEXT NOT NULL,
      body TEXT NOT NULL,
      occurred_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO webhook_outbox_v16 (seq, event_id, type, ordering_key, body, occurred_at, attempts)
      SELECT seq, event_id, type, ordering_key, body, occurred_at, attempts FROM webhook_outbox;
    DROP TABLE webhook_outbox;
    ALTER TABLE webhook_outbox_v16 RENAME TO webhook_outbox;`),
];

/** The last step applied to this object's storage (0: none). */
function appliedVersion(sql: SqlStorage): number {
  sql.exec(
    "CREATE TABLE IF NOT EXISTS schema_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)",
  );
  const row = sql.exec<{ version: number }>("SELECT version FROM schema_version").toArray()[0];
  return row?.version ?? 0;
}

/**
 * Brings the object's storage to the latest schema. Cheap when it is there already (one
 * read), so every storage user may call it; callers run it inside a transaction (the
 * object's constructor and first load do).
 */
export function migrateShowSchema(sql: SqlStorage): void {
  const from = appliedVersion(sql);
  if (from >= MIGRATIONS.length) return;
  for (const step of MIGRATIONS.slice(from)) step(sql);
  sql.exec(
    "INSERT INTO schema_version (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version",
    MIGRATIONS.length,
  );
}

/** The schema's latest version (for tests). */
export const SHOW_SCHEMA_VERSION = MIGRATIONS.length;

function addMissingColumn(sql: SqlStorage, table: string, column: string, type: string): void {
  const columns = sql
    .exec<{ name: string }>(`SELECT name FROM pragma_table_info('${table}')`)
    .toArray();
  if (!columns.some((c) => c.name === column)) {
    sql.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
}
