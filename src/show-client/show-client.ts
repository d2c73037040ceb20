import { BookingsD1 } from "../bookings/booking-d1.ts";
import { showStub } from "../contract/object-stubs.ts";
import { type ShowScopedPrefix, showIdOf } from "../contract/scoped-ids.ts";
import type { BookingRead } from "../contract/show-rpc.ts";
import { database } from "../db/database.ts";
import { type ApiError, notFound } from "../http/api-error.ts";
import { logLine } from "../observability/log.ts";
import { knownShows, showInD1 } from "./known-shows.ts";
import { forgetLayout } from "./layout-cache.ts";
import { forgetSeatMap } from "./seat-map-cache.ts";

type Stub = ReturnType<typeof showStub>;

/**
 * The Worker's side of one show's object: every route reaches the object through this, and
 * it keeps the Worker's caches right by itself. A call that may change the seat map forgets
 * this isolate's cached map (and, for the show's prices, its layout) once answered, so a
 * client sees its own change on its next read; reads that merge the object and D1 are here.
 */
export class ShowClient {
  constructor(
    readonly showId: string,
    private readonly stub: Stub,
    private readonly env: Env,
  ) {}

  // ---- Reads -----------------------------------------------------------------------------

  seatMap(...args: Parameters<Stub["seatMap"]>) {
    return this.stub.seatMap(...args);
  }

  seatStatus(...args: Parameters<Stub["seatStatus"]>) {
    return this.stub.seatStatus(...args);
  }

  layout() {
    return this.stub.layout();
  }

  salesReport() {
    return this.stub.salesReport();
  }

  showStatus() {
    return this.stub.showStatus();
  }

  listHolds() {
    return this.stub.listHolds();
  }

  listAllocations() {
    return this.stub.listAllocations();
  }

  // Access codes change no seat.
  createAccessCode(...args: Parameters<Stub["createAccessCode"]>) {
    return this.stub.createAccessCode(...args);
  }

  listAccessCodes() {
    return this.stub.listAccessCodes();
  }

  revokeAccessCode(...args: Parameters<Stub["revokeAccessCode"]>) {
    return this.stub.revokeAccessCode(...args);
  }

  // Joining and reading change no seat.
  joinWaitlist(...args: Parameters<Stub["joinWaitlist"]>) {
    return this.stub.joinWaitlist(...args);
  }

  readWaitlist(...args: Parameters<Stub["readWaitlist"]>) {
    return this.stub.readWaitlist(...args);
  }

  getLock(...args: Parameters<Stub["getLock"]>) {
    return this.stub.getLock(...args);
  }

  readTicket(...args: Parameters<Stub["readTicket"]>) {
    return this.stub.readTicket(...args);
  }

  checkinManifest(...args: Parameters<Stub["checkinManifest"]>) {
    return this.stub.checkinManifest(...args);
  }

  attendance() {
    return this.stub.attendance();
  }

  /**
   * A booking as its owner sees it: the show object first (it is the booking's owner, and D1
   * may lag behind it: a payment or an expiry still queued for D1), then D1 for a booking the
   * object holds no record of. Undefined when neither has it.
   */
  async readBooking(bookingId: string): Promise<BookingRead | undefined> {
    const fromShow = await this.stub.readBooking(bookingId);
    if (fromShow.ok) return fromShow.value as BookingRead;
    return (await new BookingsD1(database(this.env.DB)).get(bookingId)) ?? undefined;
  }

  /** A payment provider's verified webhook event (it changes seats only through payments). */
  applyProviderEvent(...args: Parameters<Stub["applyProviderEvent"]>) {
    return this.changing(this.stub.applyProviderEvent(...args));
  }

  // ---- Check-ins (they change no seat) ---------------------------------------------------

  checkIn(...args: Parameters<Stub["checkIn"]>) {
    return this.stub.checkIn(...args);
  }

  checkInBatch(...args: Parameters<Stub["checkInBatch"]>) {
    return this.stub.checkInBatch(...args);
  }

  // ---- Transfers (a ticket changes holder; no seat changes) ------------------------------

  transferTicket(...args: Parameters<Stub["transferTicket"]>) {
    return this.stub.transferTicket(...args);
  }

  // ---- Changes of the seat map -----------------------------------------------------------

  /** A listing changes its seat's status (`resale`) and price. */
  listForResale(...args: Parameters<Stub["listForResale"]>) {
    return this.changing(this.stub.listForResale(...args));
  }

  withdrawResale(...args: Parameters<Stub["withdrawResale"]>) {
    return this.changing(this.stub.withdrawResale(...args));
  }

  lock(...args: Parameters<Stub["lock"]>) {
    return this.changing(this.stub.lock(...args));
  }

  releaseLock(...args: Parameters<Stub["releaseLock"]>) {
    return this.changing(this.stub.releaseLock(...args));
  }

  book(...args: Parameters<Stub["book"]>) {
    return this.changing(this.stub.book(...args));
  }

  payBooking(...args: Parameters<Stub["payBooking"]>) {
    return this.changing(this.stub.payBooking(...args));
  }

  cancelBooking(...args: Parameters<Stub["cancelBooking"]>) {
    return this.changing(this.stub.cancelBooking(...args));
  }

  /** Leaving releases an offer's seats (to the next in line). */
  leaveWaitlist(...args: Parameters<Stub["leaveWaitlist"]>) {
    return this.changing(this.stub.leaveWaitlist(...args));
  }

  createAllocation(...args: Parameters<Stub["createAllocation"]>) {
    return this.changing(this.stub.createAllocation(...args));
  }

  releaseAllocation(...args: Parameters<Stub["releaseAllocation"]>) {
    return this.changing(this.stub.releaseAllocation(...args));
  }

  createHold(...args: Parameters<Stub["createHold"]>) {
    return this.changing(this.stub.createHold(...args));
  }

  releaseHold(...args: Parameters<Stub["releaseHold"]>) {
    return this.changing(this.stub.releaseHold(...args));
  }

  cancelShow(...args: Parameters<Stub["cancelShow"]>) {
    return this.changing(this.stub.cancelShow(...args));
  }

  /** New prices change the layout too. */
  async updateShow(...args: Parameters<Stub["updateShow"]>) {
    try {
      return await this.changing(this.stub.updateShow(...args));
    } finally {
      forgetLayout(this.showId);
    }
  }

  private async changing<T>(answer: Promise<T>): Promise<T> {
    try {
      return await answer;
    } finally {
      forgetSeatMap(this.showId);
    }
  }
}

/**
 * The client of the show if the show exists; otherwise `missing()` (404 for the show) is
 * thrown and no object is created for the id (the runtime creates one for any id given).
 */
export async function showClient(
  env: Env,
  showId: string,
  missing: () => ApiError = () => notFound("show", showId),
): Promise<ShowClient> {
  if (!(await showExists(env, showId))) throw missing();
  return new ShowClient(showId, showStub(env, showId), env);
}

/** The client of the show a lock, booking or ticket id belongs to; 404 naming the id if none. */
export function owningShowClient(
  env: Env,
  prefix: ShowScopedPrefix,
  id: string,
): Promise<ShowClient> {
  const showId = showIdOf(prefix, id);
  if (!showId) throw notFound(prefix, id);
  return showClient(env, showId, () => notFound(prefix, id));
}

async function showExists(env: Env, showId: string): Promise<boolean> {
  try {
    return await knownShows.exists(showId, showInD1(env.DB));
  } catch (err) {
    // D1 did not answer: the object decides, as before this check (it keeps its show in its
    // own storage), so an outage of D1 does not take down shows that are already open.
    logLine("error", "show lookup failed", {
      component: "known-shows",
      message: err instanceof Error ? err.message : String(err),
    });
    return true;
  }
}
