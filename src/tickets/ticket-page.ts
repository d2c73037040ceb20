import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";
import { renderSVG } from "uqr";
import type { TicketRead } from "../contract/show-views.ts";

/**
 * The ticket page at <TICKET_BASE_URL>/tickets/{ticket_id}: what a holder shows at the
 * door. The QR code (inline SVG, drawn here) encodes the signed token; a void ticket shows
 * VOID and no code, so a screenshot of it admits no one.
 */

/**
 * Inline styles, and scripts of our own only (the transfer form's, /js/ticket-transfer.js,
 * and the resale section's, /js/ticket-resale.js), which may call this origin's API;
 * nothing else loads, and no form posts anywhere. Sent instead of the API's
 * `default-src 'none'`.
 */
export const TICKET_PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

const STYLE = `
body{margin:0;font:16px/1.4 system-ui,sans-serif;background:#f4f4f5;color:#18181b}
main{max-width:26rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:12px;padding:1.25rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.35rem;margin:0 0 .25rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:1rem 0}
dt{color:#52525b}dd{margin:0;overflow-wrap:anywhere}
.status{display:inline-block;padding:.2rem .6rem;border-radius:999px;font-weight:700}
.valid{background:#dcfce7;color:#166534}.used{background:#fef9c3;color:#854d0e}
.void{background:#fee2e2;color:#991b1b}.listed{background:#e0f2fe;color:#075985}
.warn{background:#fef3c7;color:#78350f;border-left:4px solid #b45309;padding:.5rem .75rem;
border-radius:6px}
h2{font-size:1.05rem;margin:1.5rem 0 .25rem}
.qr{background:#fff;padding:.5rem}.qr svg{display:block;width:100%;height:auto}
.voidmark{font-size:4rem;font-weight:900;text-align:center;color:#991b1b;border:6px solid;
border-radius:12px;margin:1rem 0;letter-spacing:.2em}
small{color:#52525b;overflow-wrap:anywhere}
.wallet{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}
.wallet a{flex:1;text-align:center;padding:.6rem .8rem;border-radius:999px;background:#18181b;
color:#fff;text-decoration:none;font-weight:600;white-space:nowrap}

form{margin:1rem 0 0;display:flex;flex-wrap:wrap;gap:.5rem;align-items:end}
label{display:flex;flex-direction:column;font-size:.9rem;flex:1}
input{font:inherit;padding:.4rem;border:1px solid #a1a1aa;border-radius:6px}
button{font:inherit;padding:.45rem .9rem;border:0;border-radius:6px;background:#18181b;color:#fff}
`;

/** Which wallets the deployment has keys for: only those are offered. */
export interface WalletLinks {
  google: boolean;
  apple: boolean;
}

/** Links to the ticket's wallet passes (plain links: they need no script). */
function walletLinks(ticket: TicketRead, wallets: WalletLinks) {
  // A void ticket gets no pass (its routes answer 409): no link to one either.
  if (ticket.status === "void" || !(wallets.google || wallets.apple)) return "";
  const base = `/tickets/${ticket.ticket_id}/wallet`;
  const google = wallets.google ? html`<a href="${base}/google">Add to Google Wallet</a>` : "";
  // No `download`: Safari opens a .pkpass answer (by its media type) in Wallet's own sheet,
  // where a download would only save the file.
  const apple = wallets.apple ? html`<a href="${base}/apple">Add to Apple Wallet</a>` : "";
  return html`<nav class="wallet" aria-label="Add to a wallet">${google}${apple}</nav>`;
}

/**
 * The holder's transfer form, hidden until the page's script finds the tab signed in as
 * the holder (the seat-map page's user token, in this origin's sessionStorage); only a
 * valid ticket has one, and not while it is listed for resale (withdraw it first). The
 * script posts the transfer and links the new ticket.
 */
function transferForm(ticket: TicketRead) {
  if (ticket.status !== "valid" || ticket.listing) return "";
  return html`<form id="transfer" hidden data-ticket="${ticket.ticket_id}" data-holder="${ticket.user_id}">
<label>Give this ticket to (user id)<input id="transfer-to" name="to_user_id" required maxlength="128" autocomplete="off"></label>
<button type="submit">Transfer</button>
</form>
<p id="transfer-result" role="status"></p>
<script type="module" src="/js/ticket-transfer.js"></script>`;
}

/** A price as the seat-map page writes it: whole, or with its two decimals. */
function money(amount: number): string {
  return Number.isInteger(amount) ? String(amount) : amount.toFixed(2);
}

/** Why a void ticket admits no one, in the page's words. */
const VOID_WORDS: Record<string, string> = {
  cancelled: "Cancelled: the booking or the show was called off.",
  transferred: "Transferred: the new holder's ticket admits instead.",
  resold:
    "Resold: the seat was sold on at face value and its buyer's ticket admits instead. The price is refunded through the payment that bought it.",
};

/**
 * Face-value resale, for a valid ticket of one seat (a standing place is transferred, not
 * resold). Listed: the listing (price, face value, since when), that the ticket admits no
 * one while listed, and a Withdraw button for the holder. Not listed: the holder's form,
 * "Sell at face value", its price at most what was paid for the seat. The holder's parts
 * show once the page's script finds the tab signed in as the holder, as for a transfer.
 */
function resaleSection(ticket: TicketRead) {
  const [seat] = ticket.seats;
  if (ticket.status !== "valid" || ticket.zone || ticket.seats.length !== 1 || !seat) return "";
  const holder = html`data-ticket="${ticket.ticket_id}" data-holder="${ticket.user_id}"`;
  const script = html`<p id="resale-result" role="status"></p>
<script type="module" src="/js/ticket-resale.js"></script>`;
  const { listing } = ticket;
  if (listing) {
    return html`<section id="listing" ${holder} data-price="${listing.price}">
<h2>Listed for resale</h2>
<dl>
<dt>Price</dt><dd>${money(listing.price)}</dd>
<dt>Face value</dt><dd>${money(listing.face_price)}</dd>
<dt>Listed</dt><dd>${formatTime(listing.listed_at)}</dd>
</dl>
<p><small>When a buyer pays, this ticket is void and the price is refunded through your payment.</small></p>
<button type="button" id="withdraw" hidden>Withdraw from resale</button>
</section>
${script}`;
  }
  return html`<form id="resale" hidden novalidate ${holder} data-face="${seat.price}">
<h2>Sell at face value</h2>
<p><small>You paid ${money(seat.price)} for this seat: a buyer pays your price, at most that. Once it sells, this ticket is void and the price is refunded through your payment. While it is listed, this ticket does not admit anyone at the door.</small></p>
<label>Price (at most ${money(seat.price)})<input id="resale-price" name="price" type="number" inputmode="decimal" min="0" max="${seat.price}" step="0.01" value="${seat.price}" required></label>
<button type="submit">List</button>
</form>
${script}`;
}

function formatTime(isoTime: string): string {
  // The venue's zone is not known here; UTC is stated, never implied.
  return `${isoTime.slice(0, 10)} ${isoTime.slice(11, 16)} UTC`;
}

export function ticketPage(
  ticket: TicketRead,
  token: string,
  wallets: WalletLinks = { google: false, apple: false },
): HtmlEscapedString | Promise<HtmlEscapedString> {
  const seats = ticket.zone
    ? `Standing, ${ticket.zone}`
    : ticket.seats.map((seat) => `${seat.row}${seat.number}`).join(", ");
  // uqr builds the SVG from the token alone (path data of squares): no user text inside.
  const code =
    ticket.status === "void"
      ? html`<div class="voidmark" role="img" aria-label="Void ticket">VOID</div>`
      : html`<div class="qr" role="img" aria-label="Ticket QR code">${raw(
          renderSVG(token, { ecc: "M", border: 2, pixelSize: 8 }),
        )}</div>`;
  const used =
    ticket.status === "used" && ticket.checked_in_at
      ? html`<dt>Checked in</dt><dd>${formatTime(ticket.checked_in_at)}${ticket.gate ? ` at ${ticket.gate}` : ""}</dd>`
      : "";
  const voided =
    ticket.status === "void" && ticket.void_reason
      ? html`<dt>Void</dt><dd data-void-reason="${ticket.void_reason}">${
          VOID_WORDS[ticket.void_reason] ?? ticket.void_reason
        }</dd>`
      : "";
  // Listed, a valid ticket still shows its code, but the door refuses it: said up front.
  const listed = ticket.listing
    ? html` <span class="status listed" data-listed>LISTED FOR RESALE</span>
<p class="warn" id="listed-note"><strong>This ticket does not admit anyone at the door while it is listed for resale.</strong> Withdraw the listing to use it again.</p>`
    : "";
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Ticket: ${ticket.event_name}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<main>
<div class="card">
<h1>${ticket.event_name}</h1>
<span class="status ${ticket.status}" data-status="${ticket.status}">${ticket.status.toUpperCase()}</span>${listed}
<dl>
<dt>Show time</dt><dd>${formatTime(ticket.show_time)}</dd>
<dt>Venue</dt><dd>${ticket.venue}</dd>
<dt>Seats</dt><dd>${seats}</dd>
<dt>Holder</dt><dd>${ticket.user_id}</dd>
<dt>Booking</dt><dd>${ticket.booking_id}</dd>
${used}
${voided}
</dl>
${code}
${walletLinks(ticket, wallets)}
<p><small>Ticket ${ticket.ticket_id}. ${
    ticket.listing
      ? "While it is listed for resale, this code admits no one."
      : "Show this code at the door; it admits one entry."
  }</small></p>
${transferForm(ticket)}
${resaleSection(ticket)}
</div>
</main>
</body>
</html>`;
}
