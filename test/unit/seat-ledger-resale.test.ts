import { describe, expect, it } from "vitest";
import { ResaleListings } from "../../src/show/seats/resale-listings.ts";
import { SeatLedger } from "../../src/show/seats/seat-ledger.ts";
import type { SeatInfo } from "../../src/show/seats/seat-lock.ts";

const seats: SeatInfo[] = ["s1", "s2", "s3"].map((seatId, i) => ({
  seatId,
  row: "A",
  number: i + 1,
  zone: "main",
  price: 100,
  position: i,
}));

const MIN = 60_000;

/** s1 sold to the seller's booking and listed at 70; s2 sold and not listed. */
function ledgerWithListing(open = true) {
  const listing = {
    ticketId: "ticket_1",
    seatId: "s1",
    bookingId: "booking_seller",
    userId: "seller",
    price: 70,
    listedAt: 0,
  };
  const booked = new Map([
    ["s1", "booking_seller"],
    ["s2", "booking_seller"],
  ]);
  const ledger = new SeatLedger(
    seats,
    [],
    booked,
    new Map(),
    true,
    [],
    new ResaleListings([listing], open),
  );
  return { ledger, listing };
}

const lockOf = (ledger: SeatLedger, lockId: string, ids: string[], now = 0) =>
  ledger.lock({ lockId, userId: `buyer_${lockId}`, seatIds: ids, now, durationMs: MIN });

describe("a listed seat in the seat ledger", () => {
  it("reads resale at its listing's price, and a plain sold seat still reads booked", () => {
    const { ledger } = ledgerWithListing();
    expect(ledger.statusOf("s1", 0)).toBe("resale");
    expect(ledger.statusOf("s2", 0)).toBe("booked");
    expect(ledger.priceOf(ledger.seats.get("s1") as SeatInfo)).toBe(70);
    expect(ledger.priceOf(ledger.seats.get("s2") as SeatInfo)).toBe(100);
  });

  it("is locked like an available seat, at the listing's price, by one buyer at a time", () => {
    const { ledger } = ledgerWithListing();
    const first = lockOf(ledger, "l1", ["s1", "s3"]);
    expect(first.ok && first.lock.prices).toEqual([70, 100]);
    expect(ledger.statusOf("s1", 0)).toBe("locked");
    expect(lockOf(ledger, "l2", ["s1"])).toEqual({ ok: false, reason: "locked", seatIds: ["s1"] });
    expect(lockOf(ledger, "l3", ["s2"])).toMatchObject({ ok: false, reason: "unavailable" });
  });

  it("is listed again when the buyer's lock ends unbooked", () => {
    const { ledger } = ledgerWithListing();
    lockOf(ledger, "l1", ["s1"]);
    ledger.release("l1");
    expect(ledger.statusOf("s1", 0)).toBe("resale");
    lockOf(ledger, "l2", ["s1"], 0);
    expect(ledger.expireDue(MIN)).toHaveLength(1);
    expect(ledger.statusOf("s1", MIN)).toBe("resale");
  });

  it("becomes the buyer's when their lock is confirmed, and its listing ends", () => {
    const { ledger } = ledgerWithListing();
    lockOf(ledger, "l1", ["s1"]);
    ledger.confirm("l1", "booking_buyer");
    expect(ledger.bookingOf("s1")).toBe("booking_buyer");
    expect(ledger.statusOf("s1", 0)).toBe("booked");
    expect(ledger.resale.ofTicket("ticket_1")).toBeUndefined();
    // The seller's cancellation does not free the seat it no longer holds.
    ledger.unbook("booking_seller", ["s1", "s2"]);
    expect(ledger.statusOf("s1", 0)).toBe("booked");
    expect(ledger.statusOf("s2", 0)).toBe("available");
  });

  it("reads booked and cannot be locked while resale is off, and is on sale again once it is on", () => {
    const { ledger } = ledgerWithListing();
    expect(ledger.resale.setOpen(false)).toEqual(["s1"]);
    expect(ledger.statusOf("s1", 0)).toBe("booked");
    expect(lockOf(ledger, "l1", ["s1"])).toMatchObject({ ok: false, reason: "unavailable" });
    expect(ledger.resale.setOpen(false)).toEqual([]);
    ledger.resale.setOpen(true);
    expect(ledger.statusOf("s1", 0)).toBe("resale");
  });

  it("is never picked by best available, which sells the show's own seats", () => {
    const { ledger } = ledgerWithListing();
    expect(ledger.bestAvailable(1, ["main"])?.map((seat) => seat.seatId)).toEqual(["s3"]);
    expect(ledger.bestAvailable(2, ["main"])).toBeUndefined();
  });
});
