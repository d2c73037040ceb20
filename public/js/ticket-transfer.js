// The ticket page's transfer form (/tickets/{id}): shown to the ticket's holder, signed in
// in this tab on the seat-map page (its user token is in sessionStorage, as api.js keeps
// it). It posts the transfer and links the new ticket; the page then shows this one void.

const form = document.getElementById("transfer");
const result = document.getElementById("transfer-result");

/** The seat-map page's user in this tab, if its token has not lapsed. */
function signedInUser() {
  try {
    const user = JSON.parse(sessionStorage.getItem("seatmap.token") ?? "null");
    if (user && typeof user.token === "string" && user.expiresAt > Date.now()) return user;
  } catch {
    // Unreadable: nobody is signed in.
  }
  return null;
}

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
      const res = await fetch(`/v1/tickets/${encodeURIComponent(form.dataset.ticket)}/transfer`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${user.token}`,
          "Content-Type": "application/json",
          "Idempotency-Key": form.dataset.key,
        },
        body: JSON.stringify({ to_user_id: to }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        say(`Not transferred: ${body?.error?.message ?? `HTTP ${res.status}`}`);
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
