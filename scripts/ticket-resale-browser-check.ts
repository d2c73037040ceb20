/**
 * The ticket browser test's resale check (scripts/ticket-browser-test.ts runs it), on a
 * show of its own (scripts/browser-support.ts's hall of 32 seats): the seller, signed in
 * in the tab as the seat-map page signs in, is told in plain words why a price above face
 * value and a show with resale turned off refuse a listing, then lists the ticket from its
 * page, which then says the ticket admits no one while listed; a buyer's seat-map page,
 * open all along, shows the seat as resale at the listing's price over the live feed, and
 * again after a reload (the status read's `resale` prices), screenshot in
 * test-results/resale.png; the door refuses the listed code as "listed"; the buyer holds
 * the seat on the page at that price, the seller's Withdraw is refused while they hold it,
 * and the buyer pays; then the seller's page shows the ticket void as resold, their
 * booking lists the refund, and the door refuses the old code as "resold" (online).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { signAccessToken } from "../src/auth/access-token.ts";
import { callApi, createShow, resultsDir, seatSelector, TEST_CARD } from "./browser-support.ts";

export interface ResaleCheckDeps {
  base: string;
  secret: string;
  browser: Browser;
  /** The scanner page's context (it goes offline in other checks). */
  context: BrowserContext;
  /** The door scanner page, signed in as a scanner. */
  scanner: Page;
  check(condition: unknown, message: string): void;
  scan(page: Page, token: string): Promise<{ verdict: string; reason: string }>;
}

/** The seller's face price (the front zone's) and the price they ask. */
const FACE = 750;
const PRICE = 600;

/** A status line's text once the page has its answer (not empty, not "Listing..."). */
async function textOf(page: Page, selector: string): Promise<string> {
  await page.waitForFunction((sel) => {
    const text = (document.querySelector(sel)?.textContent ?? "").trim();
    return text !== "" && !text.endsWith("...");
  }, selector);
  return (await page.textContent(selector))?.trim() ?? "";
}

/** Lists at `price` and answers the status line (cleared first: refusals may read alike). */
async function submitListing(page: Page, price: string): Promise<string> {
  await page.evaluate(() => document.getElementById("resale-result")?.replaceChildren());
  await page.fill("#resale-price", price);
  await page.click("#resale button[type=submit]");
  return textOf(page, "#resale-result");
}

export async function checkResale(deps: ResaleCheckDeps): Promise<void> {
  const { base, secret, browser, scanner, scan } = deps;
  const check = (condition: unknown, message: string): void => deps.check(condition, message);
  const started = Date.now();
  const admin = await signAccessToken(
    { sub: "resale_admin", role: "admin", ttlSeconds: 3600 },
    secret,
  );
  const { showId, seat } = await createShow(base, admin, "Resale");
  const seatId = seat("A", 4);
  const run = crypto.randomUUID().slice(0, 8);
  const seller = `resale_seller_${run}`;
  const sellerToken = await signAccessToken(
    { sub: seller, role: "user", ttlSeconds: 3600 },
    secret,
  );
  const lock = await callApi<{ lock_id: string }>(base, sellerToken, "POST", "/seats/lock", {
    show_id: showId,
    seat_ids: [seatId],
  });
  const { booking } = await callApi<{ booking: { booking_id: string; ticket_id: string } }>(
    base,
    sellerToken,
    "POST",
    "/bookings",
    {
      show_id: showId,
      lock_id: lock.lock_id,
      seat_ids: [seatId],
      user_id: seller,
      payment_method: TEST_CARD,
    },
  );
  const { ticket } = await callApi<{ ticket: { token: string; ticket_url: string } }>(
    base,
    sellerToken,
    "GET",
    `/tickets/${booking.ticket_id}`,
  );

  // The buyer's seat-map page, open before the listing: the seat turns resale live.
  const buyerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const buyer = await buyerContext.newPage();
  const pageErrors: string[] = [];
  buyer.on("pageerror", (error) => pageErrors.push(`seat map: ${error.message}`));
  await buyer.goto(`${base}/?show=${encodeURIComponent(showId)}`);
  await buyer.waitForSelector("#live[data-state='live']", { timeout: 10_000 });
  await buyer.waitForSelector(`${seatSelector(seatId)}[data-state='booked']`);

  // The seller's ticket page, in a tab signed in as the holder (as the seat-map page signs in).
  const page = await deps.context.newPage();
  page.on("pageerror", (error) => pageErrors.push(`ticket page: ${error.message}`));
  await page.goto(ticket.ticket_url);
  await page.evaluate(
    ([userId, jwt]) =>
      sessionStorage.setItem(
        "seatmap.token",
        JSON.stringify({ token: jwt, userId, expiresAt: Date.now() + 3_600_000 }),
      ),
    [seller, sellerToken],
  );
  await page.reload();
  await page.waitForSelector("#resale:not([hidden])");
  const offered = await page.inputValue("#resale-price");
  const words = (await page.textContent("#resale")) ?? "";
  check(
    offered === String(FACE) &&
      words.includes(`You paid ${FACE}`) &&
      words.includes("does not admit"),
    `the ticket page offers its holder "Sell at face value" at ${offered}, the face price, shown`,
  );

  const tooHigh = await submitListing(page, String(FACE + 1));
  check(
    tooHigh.includes(`from 0 to ${FACE}`),
    `a price above face value is refused in plain words (${tooHigh})`,
  );
  await callApi(base, admin, "PATCH", `/shows/${showId}`, { resale: false });
  const disabled = await submitListing(page, String(PRICE));
  check(
    disabled.includes("turned resale off"),
    `resale turned off by the organizer is refused in plain words (${disabled})`,
  );
  await callApi(base, admin, "PATCH", `/shows/${showId}`, { resale: true });

  // Watched in the buyer's page from before the click, so the live change cannot slip by
  // (the whole map: a redraw may put new buttons in).
  await buyer.evaluate(
    ({ id, price }) => {
      const store = globalThis as unknown as { __resaleSeenAt?: number };
      store.__resaleSeenAt = undefined;
      const map = document.getElementById("seat-map");
      if (!map) throw new Error("no #seat-map");
      new MutationObserver(() => {
        const button = map.querySelector(`button[data-seat-id="${id}"]`);
        if (
          button?.getAttribute("data-state") === "resale" &&
          button.getAttribute("title")?.includes(price)
        ) {
          store.__resaleSeenAt ??= Date.now();
        }
      }).observe(map, { attributes: true, subtree: true, childList: true });
    },
    { id: seatId, price: `${PRICE} · resale` },
  );
  await page.fill("#resale-price", String(PRICE));
  const listedAt = Date.now();
  await page.click("#resale button[type=submit]");
  // Listed, the page reads itself again.
  await page.waitForSelector("#listing");
  const listedMs = Date.now() - listedAt;
  const note = (await page.textContent("#listed-note")) ?? "";
  const listing = (await page.textContent("#listing")) ?? "";
  check(
    note.includes("does not admit anyone at the door") &&
      listing.includes(String(PRICE)) &&
      (await page.isVisible("#withdraw")) &&
      !(await page.isVisible("#transfer")),
    `listed from its page in ${listedMs} ms: the page shows the listing at ${PRICE}, a Withdraw button, no transfer form, and that the ticket does not admit at the door`,
  );
  mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: join(resultsDir, "resale-ticket.png"), fullPage: true });

  await buyer.waitForFunction(
    () => (globalThis as unknown as { __resaleSeenAt?: number }).__resaleSeenAt !== undefined,
    undefined,
    { timeout: 5_000 },
  );
  const seenAt = await buyer.evaluate(
    () => (globalThis as unknown as { __resaleSeenAt: number }).__resaleSeenAt,
  );
  const title = (await buyer.getAttribute(seatSelector(seatId), "title")) ?? "";
  check(
    title.includes(`${PRICE} · resale`),
    `the buyer's seat map shows the seat as resale at ${PRICE}, live, ${seenAt - listedAt} ms after the List click (${title})`,
  );
  await buyer.reload();
  await buyer.waitForSelector(`${seatSelector(seatId)}[data-state='resale']`);
  const reloaded = (await buyer.getAttribute(seatSelector(seatId), "aria-label")) ?? "";
  const legend = (await buyer.textContent(".legend")) ?? "";
  check(
    reloaded.includes(`, ${PRICE}, resale`) && legend.includes("Resale"),
    `after a reload too (the status read's resale prices), with "Resale" in the legend (${reloaded})`,
  );
  await buyer.locator(".map-panel").screenshot({ path: join(resultsDir, "resale.png") });

  // The door, online, on this show: the listed code admits no one.
  await scanner.uncheck("#offline");
  await scanner.fill("#show-id", showId);
  await scanner.click("#settings button[type=submit]");
  const listedScan = await scan(scanner, ticket.token);
  check(
    listedScan.verdict === "refused" && /listed/.test(listedScan.reason),
    `online: the listed code is refused as listed (${listedScan.reason})`,
  );

  // The buyer holds the seat on the page, at the listing's price.
  await buyer.click(seatSelector(seatId));
  await buyer.waitForSelector(`${seatSelector(seatId)}[data-state='selected']`);
  const selection = (await buyer.textContent("#selection-text")) ?? "";
  await buyer.click("#lock-button");
  await buyer.waitForSelector("#lock-panel:not([hidden])", { timeout: 5_000 });
  const held = (await buyer.textContent("#lock-seats")) ?? "";
  check(
    selection.endsWith(`· ${PRICE}`) && held.endsWith(`total ${PRICE}`),
    `the buyer picks and holds the resale seat at its price (${selection} / ${held})`,
  );

  await page.evaluate(() => document.getElementById("resale-result")?.replaceChildren());
  await page.click("#withdraw");
  const inProgress = await textOf(page, "#resale-result");
  check(
    inProgress.includes("buyer is holding this seat"),
    `withdrawing while the buyer holds the seat is refused in plain words (${inProgress})`,
  );

  const paidAt = Date.now();
  await buyer.click("#pay-button");
  await buyer.waitForSelector("#ticket-panel:not([hidden])", { timeout: 10_000 });
  const total = (await buyer.textContent("#ticket-total"))?.trim() ?? "";
  check(
    total.replace(/\D/g, "") === String(PRICE),
    `the buyer pays ${total} on the seat-map page in ${Date.now() - paidAt} ms and gets a ticket`,
  );

  await page.reload();
  const status = await page.getAttribute(".status", "data-status");
  const reason = await page.getAttribute("[data-void-reason]", "data-void-reason");
  check(
    status === "void" &&
      reason === "resold" &&
      !(await page.isVisible(".qr")) &&
      !(await page.isVisible("#listing")) &&
      !(await page.isVisible("#resale")),
    "the seller's ticket page shows VOID, resold, with no code and no resale section",
  );
  const read = await callApi<{
    booking: { refunds?: { ticket_id: string; amount: number; reason: string }[] };
  }>(base, sellerToken, "GET", `/bookings/${booking.booking_id}`);
  const [refund] = read.booking.refunds ?? [];
  check(
    refund?.ticket_id === booking.ticket_id &&
      refund.amount === PRICE &&
      refund.reason === "resold",
    `the seller's booking lists the refund of ${refund?.amount} (${JSON.stringify(refund)})`,
  );

  const resold = await scan(scanner, ticket.token);
  check(
    resold.verdict === "refused" && /resold/.test(resold.reason),
    `online: the resold code is refused as resold (${resold.reason})`,
  );
  check(pageErrors.length === 0, `no script errors in the pages (${pageErrors.join("; ")})`);
  console.log(
    `resale check: ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots test-results/resale.png, test-results/resale-ticket.png`,
  );

  await page.close();
  await buyerContext.close();
  // The next check finds the door as it was: offline mode on.
  await scanner.check("#offline");
  await scanner.click("#settings button[type=submit]");
}
