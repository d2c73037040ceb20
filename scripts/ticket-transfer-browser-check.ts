/**
 * The ticket browser test's transfer check (scripts/ticket-browser-test.ts runs it): the
 * holder, signed in in the tab as the seat-map page signs in, transfers a ticket from its
 * page (/tickets/{id}) and gets the new ticket's link; the door scanner page refuses the
 * old code online as "transferred", learns of it within seconds from the manifest's
 * changes, and then refuses it offline as "transferred" too, while the new code is admitted.
 */
import type { BrowserContext, Page } from "playwright-core";
import { signAccessToken } from "../src/auth/access-token.ts";

export interface TransferCheckDeps {
  base: string;
  secret: string;
  context: BrowserContext;
  /** The door scanner page, its settings on the demo show with its manifest loaded. */
  scanner: Page;
  check(condition: unknown, message: string): void;
  scan(page: Page, token: string): Promise<{ verdict: string; reason: string }>;
  /** A booking of two seats for `user`: its first ticket's page URL. */
  bookTicket(user: string): Promise<{ url: string }>;
}

async function ticketToken(base: string, token: string, ticketId: string): Promise<string> {
  const res = await fetch(`${base}/v1/tickets/${ticketId}`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!res.ok) throw new Error(`ticket read: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { ticket: { token: string } }).ticket.token;
}

/** The door's kept manifest says the ticket is void. */
function doorKnowsVoid(page: Page, ticketId: string): Promise<unknown> {
  return page.waitForFunction(
    (id) => {
      const kept = JSON.parse(localStorage.getItem("door-scanner") ?? "{}");
      return kept.manifest?.tickets?.[id] === "void";
    },
    ticketId,
    { timeout: 20_000 },
  );
}

export async function checkTransfer(deps: TransferCheckDeps): Promise<void> {
  const { base, secret, context, scanner, scan } = deps;
  const check = (condition: unknown, message: string): void => deps.check(condition, message);
  const run = crypto.randomUUID().slice(0, 8);
  const giver = `door_giver_${run}`;
  const friend = `door_friend_${run}`;
  const { url } = await deps.bookTicket(giver);
  const oldId = new URL(url).pathname.split("/").at(-1) ?? "";
  const token = await signAccessToken({ sub: giver, role: "user", ttlSeconds: 3600 }, secret);
  const oldToken = await ticketToken(base, token, oldId);

  // The ticket page, in a tab signed in as the holder (the seat-map page's session token).
  const page = await context.newPage();
  await page.goto(url);
  await page.evaluate(
    ([userId, jwt]) =>
      sessionStorage.setItem(
        "seatmap.token",
        JSON.stringify({ token: jwt, userId, expiresAt: Date.now() + 3_600_000 }),
      ),
    [giver, token],
  );
  await page.reload();
  await page.waitForSelector("#transfer:not([hidden])");
  check(true, "the ticket page shows its holder the transfer form (its script runs under the CSP)");
  await page.fill("#transfer-to", friend);
  await page.click("#transfer button[type=submit]");
  await page.waitForSelector("#new-ticket");
  const newUrl = (await page.getAttribute("#new-ticket", "href")) ?? "";
  const newId = new URL(newUrl).pathname.split("/").at(-1) ?? "";
  check(newId.startsWith("ticket_") && newId !== oldId, `the page links the new ticket (${newId})`);
  await page.reload();
  check(
    (await page.getAttribute(".status", "data-status")) === "void" &&
      !(await page.isVisible("#transfer")),
    "the old ticket's page now shows VOID and no transfer form",
  );
  await page.goto(newUrl);
  check(
    (await page.textContent("dl"))?.includes(friend),
    "the new ticket's page names the new holder",
  );
  await page.close();
  const friendToken = await signAccessToken(
    { sub: friend, role: "user", ttlSeconds: 3600 },
    secret,
  );
  const newToken = await ticketToken(base, friendToken, newId);

  // Online: the show object refuses the old code with its reason.
  await scanner.uncheck("#offline");
  await scanner.click("#settings button[type=submit]");
  const online = await scan(scanner, oldToken);
  check(
    online.verdict === "refused" && /transferred/.test(online.reason),
    `online: the old code is refused as transferred (${online.reason})`,
  );
  await scanner.check("#offline");
  await scanner.click("#settings button[type=submit]");

  // Offline: the door's periodic sync (manifest since its version) has the revocation.
  await doorKnowsVoid(scanner, oldId);
  check(true, "the door's manifest sync lists the old code void");
  await context.setOffline(true);
  const offline = await scan(scanner, oldToken);
  check(
    offline.verdict === "refused" && /transferred/.test(offline.reason),
    `offline: the old code is refused as transferred (${offline.reason})`,
  );
  const admitted = await scan(scanner, newToken);
  check(admitted.verdict === "admitted", `offline: the new code is admitted (${admitted.reason})`);
  await scanner.evaluate(() => {
    const status = document.getElementById("sync-status");
    if (status) status.textContent = "";
  });
  await context.setOffline(false);
  await scanner.waitForFunction(() =>
    /^Synced 1: 1 admitted/.test(document.getElementById("sync-status")?.textContent ?? ""),
  );
  check(true, "back online, the new code's offline scan is synced and admitted");
}
