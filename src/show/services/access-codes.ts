import {
  type ApiFailure,
  failure,
  invalidInputFailure,
  notFoundFailure,
} from "../../contract/api-failure.ts";
import type { ShowResult } from "../../contract/show-rpc.ts";
import type { AccessCodeInput, AccessCodeView } from "../../contract/show-views.ts";
import { newId } from "../../lib/ids.ts";
import { iso } from "../../lib/iso-time.ts";
import { ok, refused } from "../show-results.ts";
import type { ShowState } from "../show-state.ts";
import type { AccessCode } from "../storage/access-code-storage.ts";

/** Why a code does not admit its holder (403 ACCESS_CODE_INVALID's details.reason). */
type Refusal = "unknown" | "revoked" | "used_up" | "not_yet_valid" | "expired";

/**
 * Access codes of a show: a presale's, or the key to an allocation's seats. The object
 * sees only their hashes; a code is found by comparing every code's hash in constant time
 * (no early exit on the first differing character), and admits its holder while it is in
 * its window, not revoked, and has a use left (a live lock made with it holds a use).
 */
export class AccessCodes {
  constructor(private readonly show: ShowState) {}

  create(input: AccessCodeInput): ShowResult<AccessCodeView> {
    const { show } = this;
    const now = Date.now();
    if (this.findByHash(input.codeHash)) {
      return refused(invalidInputFailure("code", "this show has that code already"));
    }
    if (input.allocation && !this.allocationHold(input.allocation)) {
      return refused(invalidInputFailure("allocation", `no allocation '${input.allocation}'`));
    }
    const unknownZone = input.zones?.find((z) => !show.info.zones.some((zone) => zone.name === z));
    if (unknownZone !== undefined) {
      return refused(invalidInputFailure("zones", `no zone '${unknownZone}' in this show`));
    }
    const code: AccessCode = {
      accessCodeId: newId("code"),
      ...input,
      revokedAt: null,
      createdAt: now,
    };
    show.change({ at: now, store: () => show.accessCodes.insert(code) });
    show.log.write("info", "access code made", { access_code_id: code.accessCodeId });
    return ok(this.view(code, now), 201);
  }

  list(): AccessCodeView[] {
    const now = Date.now();
    this.show.expireDue(now);
    return this.show.accessCodes.all().map((code) => this.view(code, now));
  }

  revoke(accessCodeId: string): ShowResult<AccessCodeView> {
    const { show } = this;
    const now = Date.now();
    if (!show.accessCodes.find(accessCodeId)) {
      return refused(notFoundFailure("access_code", accessCodeId));
    }
    show.change({ at: now, store: () => show.accessCodes.revoke(accessCodeId, now) });
    const code = show.accessCodes.find(accessCodeId);
    if (!code) throw new Error("the code vanished");
    return ok(this.view(code, now));
  }

  /**
   * The code a lock request gave, if it admits its holder at `now`; else 403
   * ACCESS_CODE_INVALID with why. Call after expireDue(now): uses count live locks.
   */
  admit(
    codeHash: string,
    now: number,
  ): { ok: true; code: AccessCode; holdId: string | undefined } | { ok: false; error: ApiFailure } {
    const code = this.findByHash(codeHash);
    const refusal = this.refusalOf(code, now);
    if (!code || refusal) return { ok: false, error: invalidCode(refusal ?? "unknown") };
    return {
      ok: true,
      code,
      holdId: code.allocation ? this.allocationHold(code.allocation) : undefined,
    };
  }

  private refusalOf(code: AccessCode | undefined, now: number): Refusal | undefined {
    if (!code) return "unknown";
    if (code.revokedAt !== null) return "revoked";
    if (code.validFrom !== null && now < code.validFrom) return "not_yet_valid";
    if (code.validUntil !== null && now >= code.validUntil) return "expired";
    // An allocation's code is void once its allocation is released.
    if (code.allocation && !this.allocationHold(code.allocation)) return "revoked";
    if (codeUses(this.show, code.accessCodeId, now) >= code.maxUses) return "used_up";
    return undefined;
  }

  /** Every code's hash is compared, whatever matches: the time taken says nothing of which. */
  private findByHash(codeHash: string): AccessCode | undefined {
    let found: AccessCode | undefined;
    for (const code of this.show.accessCodes.all()) {
      if (sameHash(code.codeHash, codeHash) && !found) found = code;
    }
    return found;
  }

  /** The hold id of the allocation named `name`, if it exists. */
  private allocationHold(name: string): string | undefined {
    return this.show.holdStorage
      .all()
      .find((hold) => hold.reason === ALLOCATION_REASON && hold.label === name)?.holdId;
  }

  private view(code: AccessCode, now: number): AccessCodeView {
    return {
      access_code_id: code.accessCodeId,
      max_uses: code.maxUses,
      uses: codeUses(this.show, code.accessCodeId, now),
      valid_from: code.validFrom === null ? null : iso(code.validFrom),
      valid_until: code.validUntil === null ? null : iso(code.validUntil),
      zones: code.zones,
      allocation: code.allocation,
      price_override: code.priceOverride,
      revoked_at: code.revokedAt === null ? null : iso(code.revokedAt),
      created_at: iso(code.createdAt),
    };
  }
}

/**
 * A code's uses at `now`: its confirmed bookings and its live locks (a lock being paid
 * for holds its use past its expiry). Call after expireDue(now).
 */
export function codeUses(show: ShowState, accessCodeId: string, now: number): number {
  return (
    show.accessCodes.confirmedBookings(accessCodeId) + show.seats.liveLocksOfCode(accessCodeId, now)
  );
}

/** The reason an allocation's hold carries (allocations.ts). */
export const ALLOCATION_REASON = "allocation";

function invalidCode(reason: Refusal): ApiFailure {
  const words: Record<Refusal, string> = {
    unknown: "is not a code of this show",
    revoked: "was revoked",
    used_up: "has no use left",
    not_yet_valid: "is not valid yet",
    expired: "is no longer valid",
  };
  return failure(403, "ACCESS_CODE_INVALID", `The access code ${words[reason]}`, {
    field: "access_code",
    reason,
  });
}

/** Equal hex hashes, compared in constant time for equal lengths. */
function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
