/**
 * The browser test's waitlist check (scripts/browser-test.ts runs it): a fresh show sold
 * out by another buyer through the API; the page offers its waitlist, the buyer joins for
 * 2 seats and is told their place; when the other buyer releases seats, the page takes the
 * offer on as the buyer's own hold within a few seconds (the lock panel and its countdown),
 * and paying for it gives a ticket.
 */
import type { Browser, Page } from "playwright-core";
import { signAccessToken } from "../src/auth/access-token.ts";
import { assert, callApi, check, createShow } from "./browser-support.ts";
import { ensureJwtSecret } from "./local-env.ts";

type OpenPage = (browser: Browser, showId: string, label: string) => Promise<Page>;

export async function checkWaitlist(
  browser: Browser,
  base: string,
  adminToken: string,
  openPage: OpenPage,
): Promise<void> {
  const { showId } = await createShow(base, adminToken, "Waitlist test");
  const seller = await signAccessToken(
    { sub: "browser_waitlist_seller", role: "user", ttlSeconds: 3600 },
    ensureJwtSecret(),
  );
  const map = await callApi<{ seats: { seat_id: string }[] }>(
    base,
    adminToken,
    "GET",
    `/shows/${showId}/seats`,
  );
  const seatIds = map.seats.map((seat) => seat.seat_id);
  const locks: { lock_id: string; seat_ids: string[] }[] = [];
  for (let i = 0; i < seatIds.length; i += 8) {
    locks.push(
      await callApi(base, seller, "POST", "/seats/lock", {
        show_id: showId,
        seat_ids: seatIds.slice(i, i + 8),
        lock_duration_seconds: 600,
      }),
    );
  }
  const page = await openPage(browser, showId, "waitlist");

  await check("a sold-out show: join the waitlist, get released seats held, pay", async () => {
    await page.waitForSelector("#waitlist-panel:not([hidden])", { timeout: 10_000 });
    await page.selectOption("#waitlist-quantity", "2");
    await page.click("#waitlist-join");
    await page.waitForFunction(
      () => document.getElementById("waitlist-text")?.textContent?.includes("number 1 in line"),
      undefined,
      { timeout: 5_000 },
    );
    const place = (await page.textContent("#waitlist-text"))?.trim() ?? "";

    const released = locks[0];
    assert(released, "the seller has no lock");
    const releasedAt = Date.now();
    await callApi(base, seller, "DELETE", `/seats/lock/${released.lock_id}`);
    await page.waitForSelector("#lock-panel:not([hidden])", { timeout: 10_000 });
    const heldAfter = Date.now() - releasedAt;
    const notice = (await page.textContent("#notice"))?.trim() ?? "";
    assert(notice.startsWith("Seats came back for you:"), `notice ${JSON.stringify(notice)}`);
    assert(await page.locator("#waitlist-panel").isHidden(), "the waitlist panel still shows");

    await page.click("#pay-button");
    await page.waitForSelector("#ticket-panel:not([hidden])", { timeout: 5_000 });
    return `${JSON.stringify(place)}; the offer was held on the page ${heldAfter} ms after the release; paid`;
  });
  await page.context().close();
}
