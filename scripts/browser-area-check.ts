/**
 * The browser test's standing-area check (scripts/browser-test.ts runs it): a fresh show
 * of a venue with a standing floor beside its seats; the page lists the floor's places
 * left and its price, the buyer holds 3 places by quantity, another page sees the count
 * drop live, and paying gives a booking of 3 places. Screenshot: test-results/standing.png.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { assert, check, createShow, resultsDir } from "./browser-support.ts";

type OpenPage = (browser: Browser, showId: string, label: string) => Promise<Page>;

const floorSays = (page: Page, words: string) =>
  page.waitForFunction(
    (words) => document.getElementById("standing-floor")?.textContent?.includes(words),
    words,
    { timeout: 5_000 },
  );

export async function checkStandingArea(
  browser: Browser,
  base: string,
  adminToken: string,
  openPage: OpenPage,
): Promise<void> {
  const { showId } = await createShow(base, adminToken, "Standing test", {
    zones: [
      { name: "floor", general_admission: true, capacity: 40 },
      { name: "stands", rows: [{ row: "A", seats: 8 }] },
    ],
    prices: { floor: 300, stands: 900 },
  });
  const [buyer, viewer] = await Promise.all([
    openPage(browser, showId, "standing buyer"),
    openPage(browser, showId, "standing viewer"),
  ]);

  await check("a standing area: places by quantity, live counts, paid", async () => {
    for (const page of [buyer, viewer]) {
      await page.waitForSelector("#standing-panel:not([hidden])", { timeout: 10_000 });
      await page.waitForSelector("#live[data-state='live']", { timeout: 10_000 });
      await floorSays(page, "40 of 40 places left");
    }
    const label = (await buyer.textContent("#standing-floor"))?.trim() ?? "";
    await buyer.selectOption("select[data-zone='floor']", "3");
    await buyer.screenshot({ path: join(resultsDir, "standing.png"), fullPage: true });
    await buyer.click("#standing-areas button");
    await buyer.waitForSelector("#lock-panel:not([hidden])", { timeout: 5_000 });
    const held = (await buyer.textContent("#lock-seats"))?.trim() ?? "";
    assert(
      held.startsWith("3 standing places on floor"),
      `the lock panel says ${JSON.stringify(held)}`,
    );
    const seenAt = Date.now();
    await floorSays(viewer, "37 of 40 places left");
    const liveMs = Date.now() - seenAt;

    await buyer.click("#pay-button");
    await buyer.waitForSelector("#ticket-panel:not([hidden])", { timeout: 5_000 });
    const notice = (await buyer.textContent("#notice"))?.trim() ?? "";
    assert(notice.includes("3 standing places on floor"), `notice ${JSON.stringify(notice)}`);
    return `${JSON.stringify(label)}; held "${held}"; the other page saw 37 left within ${liveMs} ms; paid; screenshot test-results/standing.png`;
  });
  await buyer.context().close();
  await viewer.context().close();
}
