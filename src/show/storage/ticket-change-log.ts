/**
 * Which tickets' status at the door changed, and at which manifest version: the door's
 * manifest answers `since=<version>` from here with only what changed after it. One row per
 * change (a ticket issued, used, voided or transferred; a booking's tickets all at once; or
 * every ticket of the show), appended in the transaction of the change; its rowid is the
 * version, so the latest version is the table's last row and the changes after a version
 * are a range of the primary key: no other index, no counter to update.
 */

/** What changed after a version: bookings whose every ticket changed, and single tickets. */
export interface TicketChanges {
  /** Every ticket of the show may have changed (its cancellation; the log's start). */
  wholeShow: boolean;
  bookings: Set<string>;
  /** ticket id → its booking. */
  tickets: Map<string, string>;
}

interface ChangeRow extends Record<string, SqlStorageValue> {
  booking_id: string | null;
  ticket_id: string | null;
}

export class TicketChangeLog {
  constructor(private readonly sql: SqlStorage) {}

  /** One ticket's status changed (issued, checked in, transferred). */
  ticket(bookingId: string, ticketId: string): void {
    this.append(bookingId, ticketId);
  }

  /** Every ticket of the booking changed (issued, cancelled, its refund started). */
  booking(bookingId: string): void {
    this.append(bookingId, null);
  }

  /** Every ticket of the show changed (the show was cancelled). */
  wholeShow(): void {
    this.append(null, null);
  }

  /** The manifest's version now: the last change's. */
  version(): number {
    const row = this.sql
      .exec<{ version: number | null }>("SELECT max(version) AS version FROM ticket_changes")
      .toArray()[0];
    return row?.version ?? 0;
  }

  /** The changes made after `version` (a version this show had: 1 up to version()). */
  since(version: number): TicketChanges {
    const changes: TicketChanges = { wholeShow: false, bookings: new Set(), tickets: new Map() };
    const rows = this.sql.exec<ChangeRow>(
      "SELECT booking_id, ticket_id FROM ticket_changes WHERE version > ?",
      version,
    );
    for (const row of rows) {
      if (row.booking_id === null) changes.wholeShow = true;
      else if (row.ticket_id === null) changes.bookings.add(row.booking_id);
      else changes.tickets.set(row.ticket_id, row.booking_id);
    }
    return changes;
  }

  private append(bookingId: string | null, ticketId: string | null): void {
    this.sql.exec(
      "INSERT INTO ticket_changes (booking_id, ticket_id) VALUES (?, ?)",
      bookingId,
      ticketId,
    );
  }
}
