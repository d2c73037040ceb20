// The ticket page's transfer form (/tickets/{id}): shown to the ticket's holder, signed in
// in this tab on the seat-map page (ticket-holder.js). It posts the transfer and links the
// new ticket; the page then shows this one void.
import { callAsHolder, signedInUser } from "./ticket-holder.js";

const form = document.getElementById("transfer");
const result = document.getElementById("transfer-result");

function say(text) {
  result.replaceChildren(document.createTextNode(text));
}

const user = signedInUser();
if (form && user && user.userId === form.dataset.holder) {
  form.hidden = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const to = document.getElementById("transfer-to").value.trim();
    const button = form.querySelector("button");
    button.disabled = true;
    say("Transferring...");
    // A retry of this very transfer (a lost answer) must not transfer twice: one key per try.
    form.dataset.key ??= crypto.randomUUID();
    try {
      const { ok, status, body } = await callAsHolder(
        user,
        "POST",
        `/v1/tickets/${encodeURIComponent(form.dataset.ticket)}/transfer`,
        { body: { to_user_id: to }, idempotencyKey: form.dataset.key },
      );
      if (!ok) {
        say(`Not transferred: ${body?.error?.message ?? `HTTP ${status}`}`);
        delete form.dataset.key;
        button.disabled = false;
        return;
      }
      const link = document.createElement("a");
      link.id = "new-ticket";
      link.href = body.ticket.ticket_url;
      link.textContent = "the new ticket";
      result.replaceChildren(
        document.createTextNode(`Transferred to ${body.ticket.user_id}: send them `),
        link,
        document.createTextNode(". This ticket is void now."),
      );
      form.hidden = true;
    } catch {
      say("No connection: try again.");
      button.disabled = false;
    }
  });
}
