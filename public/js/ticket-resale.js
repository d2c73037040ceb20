// The ticket page's resale section (/tickets/{id}), for the ticket's holder signed in in
// this tab on the seat-map page (ticket-holder.js): "Sell at face value" lists the ticket
// (POST /v1/tickets/{id}/resale {price}); a listed ticket's Withdraw button ends the
// listing (DELETE). Either way the page is then read again: it shows the listing, or the
// form, as the server has it.
import { callAsHolder, signedInUser } from "./ticket-holder.js";

const form = document.getElementById("resale");
const listing = document.getElementById("listing");
const result = document.getElementById("resale-result");

function say(text) {
  result.replaceChildren(document.createTextNode(text));
}

/** A refusal of a listing or a withdrawal, in words for the holder. */
function explain(status, error, face) {
  const details = error?.details ?? {};
  switch (error?.code) {
    case "RESALE_DISABLED":
      return "The organizer has turned resale off for this show: tickets cannot be listed now.";
    case "TICKET_LISTED":
      return `This ticket is already listed for resale${
        typeof details.price === "number" ? ` at ${details.price}` : ""
      }. Reload the page to see the listing or withdraw it.`;
    case "RESALE_IN_PROGRESS":
      return "A buyer is holding this seat and may be paying for it right now, so the listing cannot be withdrawn. Try again once their hold ends, in a few minutes; if they pay, this ticket is resold and you are refunded.";
    case "TICKET_NOT_RESELLABLE":
      return `This ticket cannot be sold on${details.reason ? `: ${details.reason}` : ""}. You can still transfer it.`;
    case "TICKET_ALREADY_USED":
      return "This ticket has been used at the door: it can no longer be sold on.";
    case "TICKET_VOID":
      return `This ticket is void${details.reason ? ` (${details.reason})` : ""}: it cannot be sold on. Reload the page.`;
    case "SHOW_CLOSED":
      return "The show has started: tickets can no longer be sold on.";
    case "INVALID_INPUT":
      if (details.field === "price") {
        const most = details.face_price ?? face;
        return `The price must be a number from 0 to ${most} (what you paid for the seat), with at most two decimals.`;
      }
      return `Not accepted: ${error.message}`;
    case "NOT_FOUND":
      return "This ticket is not listed any more (it may have just been resold). Reload the page.";
    case "UNAUTHENTICATED":
      return "Your sign-in has lapsed: open the seat-map page in this tab, then come back.";
    default:
      return error?.message ?? `The server answered ${status}. Try again.`;
  }
}

/**
 * Runs one call from `button` (off meanwhile); a success reads the page again. `refused`
 * runs when the server answered no.
 */
async function act(button, working, call, { face, refused } = {}) {
  button.disabled = true;
  say(working);
  try {
    const { ok, status, body } = await call();
    if (ok) {
      location.reload();
      return;
    }
    refused?.();
    say(explain(status, body?.error, face));
  } catch {
    say("No connection: try again.");
  }
  button.disabled = false;
}

const user = signedInUser();
const holder = (form ?? listing)?.dataset.holder;
if (user && holder && user.userId === holder) {
  if (form) {
    form.hidden = false;
    const face = Number(form.dataset.face);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const typed = document.getElementById("resale-price").value.trim();
      const price = Number(typed);
      if (typed === "" || !Number.isFinite(price)) {
        say(`Enter a price from 0 to ${face}.`);
        return;
      }
      // A retry of this very listing (a lost answer) must not list twice: one key per try.
      form.dataset.key ??= crypto.randomUUID();
      act(
        form.querySelector("button"),
        "Listing...",
        () =>
          callAsHolder(
            user,
            "POST",
            `/v1/tickets/${encodeURIComponent(form.dataset.ticket)}/resale`,
            {
              body: { price },
              idempotencyKey: form.dataset.key,
            },
          ),
        { face, refused: () => delete form.dataset.key },
      );
    });
  }
  if (listing) {
    const withdraw = document.getElementById("withdraw");
    withdraw.hidden = false;
    withdraw.addEventListener("click", () =>
      act(withdraw, "Withdrawing...", () =>
        callAsHolder(
          user,
          "DELETE",
          `/v1/tickets/${encodeURIComponent(listing.dataset.ticket)}/resale`,
        ),
      ),
    );
  }
}
