/**
 * The access code field (#access-code) and the show's sale rules near the selection: the
 * per-buyer limit (#limit-note, when the show has one) with how many more seats the user
 * may take (the show's limit less their confirmed bookings of it, read from their newest
 * bookings, and their hold), and, while the sale is still ahead,
 * when it opens (#sale-note). The field is always there: a presale's code opens the sale
 * early, an allocation's code its kept seats at any time. lock.js sends the code with every
 * lock; it is cleared when another show opens (codes belong to one show).
 */
import { api } from "./api.js";
import { $, setText } from "./dom.js";
import { formatShowTime, seatCount } from "./format.js";
import { notify, subscribe } from "./state.js";

/** The code typed (trimmed), or undefined when the field is empty. */
export const accessCode = () => $("access-code").value.trim() || undefined;

let shownFor = null;
/** Seats of the open show in the user's confirmed bookings, once counted (null: not yet). */
let booked = null;
/** The booking last counted with (a new one counts again). */
let countedBooking;

/** Counts the seats the user has booked in `showId` (their newest 100 bookings). */
async function countBooked(showId) {
  try {
    const { bookings } = await api.listBookings();
    if (shownFor !== showId) return;
    booked = bookings
      .filter((b) => b.show?.show_id === showId && b.status === "confirmed")
      .reduce((sum, b) => sum + b.seats.length, 0);
    notify();
  } catch {
    // Without the count the note says the limit alone.
  }
}

export function mountAccessCode() {
  subscribe(render);
}

function render({ show, lock, booking, userId }) {
  if (show?.show_id !== shownFor) {
    shownFor = show?.show_id;
    booked = null;
    countedBooking = undefined;
    $("access-code").value = "";
  }
  const limit = show?.max_tickets_per_user;
  const bookingId = booking?.booking?.booking_id ?? null;
  if (limit && userId && countedBooking !== bookingId) {
    countedBooking = bookingId;
    countBooked(show.show_id);
  }
  $("limit-note").hidden = !limit;
  const left = limit && booked !== null ? limit - booked - (lock?.seat_ids.length ?? 0) : null;
  setText(
    $("limit-note"),
    !limit
      ? ""
      : left === null
        ? `Up to ${seatCount(limit)} per buyer.`
        : `Up to ${seatCount(limit)} per buyer; you can take ${Math.max(0, left)} more.`,
  );
  const ahead = Date.parse(show?.sales_start ?? "") > Date.now();
  $("sale-note").hidden = !ahead;
  setText(
    $("sale-note"),
    ahead
      ? `The sale opens on ${formatShowTime(show.sales_start)}. A presale code lets you in earlier.`
      : "",
  );
}
