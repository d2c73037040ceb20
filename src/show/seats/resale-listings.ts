/**
 * Seats their holders offered back at face value or less (resale), as the seat ledger
 * keeps them: a listed seat stays sold to its seller's booking until a buyer's payment
 * goes through; meanwhile buyers see it as `resale`, at its listing price, and lock it like
 * an available seat. While the organizer has resale turned off, listings are kept but
 * dormant: their seats read `booked` and cannot be locked.
 */

export interface ResaleListing {
  /** The seller's ticket for the seat: voided as `resold` when the seat sells. */
  ticketId: string;
  seatId: string;
  /** The seller's booking, whose charge the seller is refunded through. */
  bookingId: string;
  userId: string;
  /** What a buyer pays, and what the seller is refunded (at most the seat's face price). */
  price: number;
  listedAt: number;
}

export class ResaleListings {
  /** seat id → its open listing. */
  private readonly bySeat = new Map<string, ResaleListing>();
  /** ticket id → its open listing. */
  private readonly byTicket = new Map<string, ResaleListing>();

  constructor(
    listings: readonly ResaleListing[],
    /** The show's setting: whether listed seats are on sale now. */
    private open: boolean,
  ) {
    for (const listing of listings) this.add(listing);
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Turns resale on or off; answers the listed seats, whose status this changes. */
  setOpen(open: boolean): string[] {
    if (open === this.open) return [];
    this.open = open;
    return [...this.bySeat.keys()];
  }

  /** The seat's listing, if it is on sale now (listed, and resale is on). */
  onSale(seatId: string): ResaleListing | undefined {
    return this.open ? this.bySeat.get(seatId) : undefined;
  }

  ofSeat(seatId: string): ResaleListing | undefined {
    return this.bySeat.get(seatId);
  }

  ofTicket(ticketId: string): ResaleListing | undefined {
    return this.byTicket.get(ticketId);
  }

  /** The open listings of one seller's booking. */
  ofBooking(bookingId: string): ResaleListing[] {
    return [...this.bySeat.values()].filter((listing) => listing.bookingId === bookingId);
  }

  add(listing: ResaleListing): void {
    this.bySeat.set(listing.seatId, listing);
    this.byTicket.set(listing.ticketId, listing);
  }

  /** The listing ends (sold, withdrawn). */
  remove(listing: ResaleListing): void {
    this.bySeat.delete(listing.seatId);
    this.byTicket.delete(listing.ticketId);
  }

  /** seat id → price of every listing (a compact status read names them). */
  prices(): Record<string, number> {
    return Object.fromEntries([...this.bySeat].map(([seatId, listing]) => [seatId, listing.price]));
  }

  get size(): number {
    return this.bySeat.size;
  }
}
