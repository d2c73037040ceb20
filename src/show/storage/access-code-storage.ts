import type { AccessCodeInput } from "../../contract/show-views.ts";

/**
 * A show's access codes, in its object's SQLite: each stored as the hash of its text (the
 * text itself is answered once, when the code is made), with its use limit, window, zones,
 * allocation and price. Uses are counted from the bookings and live locks made with it.
 */

/** A code as made (contract's AccessCodeInput: hash, uses, window, zones, allocation, price). */
export interface AccessCode extends AccessCodeInput {
  accessCodeId: string;
  revokedAt: number | null;
  createdAt: number;
}

interface AccessCodeRow extends Record<string, SqlStorageValue> {
  access_code_id: string;
  code_hash: string;
  max_uses: number;
  valid_from: number | null;
  valid_until: number | null;
  zones: string | null;
  allocation: string | null;
  price_override: number | null;
  revoked_at: number | null;
  created_at: number;
}

const toCode = (row: AccessCodeRow): AccessCode => ({
  accessCodeId: row.access_code_id,
  codeHash: row.code_hash,
  maxUses: row.max_uses,
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  zones: row.zones ? (JSON.parse(row.zones) as string[]) : null,
  allocation: row.allocation,
  priceOverride: row.price_override,
  revokedAt: row.revoked_at,
  createdAt: row.created_at,
});

export class AccessCodeStorage {
  constructor(private readonly sql: SqlStorage) {}

  insert(code: AccessCode): void {
    this.sql.exec(
      `INSERT INTO access_codes (access_code_id, code_hash, max_uses, valid_from, valid_until,
         zones, allocation, price_override, revoked_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      code.accessCodeId,
      code.codeHash,
      code.maxUses,
      code.validFrom,
      code.validUntil,
      code.zones ? JSON.stringify(code.zones) : null,
      code.allocation,
      code.priceOverride,
      code.revokedAt,
      code.createdAt,
    );
  }

  revoke(accessCodeId: string, at: number): void {
    this.sql.exec(
      "UPDATE access_codes SET revoked_at = ? WHERE access_code_id = ? AND revoked_at IS NULL",
      at,
      accessCodeId,
    );
  }

  find(accessCodeId: string): AccessCode | undefined {
    const row = this.sql
      .exec<AccessCodeRow>("SELECT * FROM access_codes WHERE access_code_id = ?", accessCodeId)
      .toArray()[0];
    return row ? toCode(row) : undefined;
  }

  all(): AccessCode[] {
    return this.sql
      .exec<AccessCodeRow>("SELECT * FROM access_codes ORDER BY created_at, access_code_id")
      .toArray()
      .map(toCode);
  }

  /**
   * Bookings made with a code that stand (confirmed): with the code's live locks (the seat
   * ledger's, which knows a lock being paid for past its expiry), its uses. A cancelled
   * booking gives its use back, as a released or expired lock does.
   */
  confirmedBookings(accessCodeId: string): number {
    return this.sql
      .exec<{ n: number }>(
        `SELECT count(*) AS n FROM bookings b JOIN locks l ON l.lock_id = b.lock_id
         WHERE l.access_code_id = ? AND b.status = 'confirmed'`,
        accessCodeId,
      )
      .one().n;
  }
}
