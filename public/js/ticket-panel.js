/**
 * The ticket (#ticket-panel): the confirmed booking, shown after paying or after a reload,
 * and the button to book more. The 201 answer has the seats and ids; the booking's own
 * read adds the event, time, venue and the tickets' page, drawn when it arrives: one link
 * per seat, since each seat has a ticket of its own (a party may enter apart).
 */
import { api } from "./api.js";
import { $, setText } from "./dom.js";
import { capitalise, formatPrice, formatShowTime } from "./format.js";
import { describeSeats } from "./messages.js";
import { clearNotice, showNotice } from "./notice.js";
import { focusSeatMap } from "./seat-map.js";
import { namePlaces } from "./seats.js";
import { forgetBooking, loadBooking, saveBooking } from "./session.js";
import { setState, state, subscribe } from "./state.js";

/** "Row A seats 4, 5", named from the booking's own seats (the map may have changed). */
function bookedSeats(booking) {
  const seatIds = booking.seats.map((seat) => seat.seat_id);
  const seats = seatIds.length
    ? describeSeats(seatIds, (id) => booking.seats.find((seat) => seat.seat_id === id))
    : "";
  return capitalise([seats, namePlaces(booking.areas)].filter(Boolean).join(" and "));
}

/** Shows a confirmed booking as the ticket, then fills in the details from its read. */
export async function showBooking(booking) {
  const showId = state.show.show_id;
  saveBooking(showId, booking.booking_id);
  setState({ booking: { booking, detail: null } });
  showNotice(
    "success",
    `Booked! ${bookedSeats(booking)}, total ${formatPrice(booking.total_amount)}.`,
  );
  $("ticket-panel").focus();
  try {
    const detail = (await api.getBooking(booking.booking_id)).booking;
    // Still the same ticket on screen (no new lock, no other show since)?
    if (state.booking?.booking === booking) setState({ booking: { booking, detail } });
  } catch {
    // The ticket is already shown from the booking answer; the details are a bonus.
  }
}

/** After a reload: the booking this tab last made for this show. */
export async function restoreBooking() {
  const showId = state.show.show_id;
  const bookingId = loadBooking(showId);
  if (!bookingId || state.lock) return;
  try {
    const booking = (await api.getBooking(bookingId)).booking;
    if (showId !== state.show?.show_id) return;
    if (booking.status === "confirmed") {
      await showBooking(booking);
      clearNotice();
    } else forgetBooking(showId);
  } catch {
    forgetBooking(showId);
  }
}

export function mountTicketPanel() {
  $("book-more").addEventListener("click", () => {
    forgetBooking(state.show.show_id);
    setState({ booking: null });
    clearNotice();
    focusSeatMap({ seat: false });
  });
  subscribe(render);
}

/** The links last drawn (their URLs), so a redraw does not replace them (and any focus). */
let drawnLinks;

/**
 * Each ticket's page and what to call it. The read's `ticket_url` is the first ticket's
 * page; the others' are beside it, named by their id. A booking from before per-seat
 * tickets has one ticket for all its seats.
 */
function ticketLinks(booking, detail) {
  const firstUrl = detail?.ticket_url;
  if (!firstUrl) return [];
  const tickets = detail.tickets ?? [];
  if (tickets.length <= 1 || tickets.some((ticket) => ticket.seat_id === null)) {
    return [{ url: firstUrl, label: "Open your ticket" }];
  }
  return tickets.map((ticket) => {
    const seat = booking.seats.find((s) => s.seat_id === ticket.seat_id);
    const name = seat ? `${seat.row}${seat.number}` : ticket.seat_id;
    const void_ = ticket.status === "void" ? " (void)" : "";
    return {
      url: firstUrl.replace(/[^/]+$/, ticket.ticket_id),
      label: `Ticket for seat ${name}${void_}`,
    };
  });
}

function render(state) {
  const shown = state.booking;
  $("ticket-panel").hidden = !shown || Boolean(state.lock);
  if (!shown) return;
  const { booking, detail } = shown;
  setText($("ticket-seats"), bookedSeats(booking));
  setText($("ticket-total"), formatPrice(booking.total_amount));
  setText($("ticket-booking"), booking.booking_id);
  setText($("ticket-id"), booking.ticket_id ?? "—");
  setText($("ticket-event"), detail?.show.event_name ?? state.eventName ?? "—");
  const time = detail?.show.show_time ?? state.show?.show_time;
  setText($("ticket-time"), time ? formatShowTime(time) : "—");
  setText($("ticket-venue"), detail?.show.venue ?? state.venueName ?? "—");
  const links = ticketLinks(booking, detail);
  const key = links.map((link) => `${link.url} ${link.label}`).join("\n");
  if (key === drawnLinks) return;
  drawnLinks = key;
  $("ticket-link").replaceChildren(
    ...links.map(({ url, label }) => {
      const link = document.createElement("a");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = label;
      return link;
    }),
  );
}
