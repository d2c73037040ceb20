/**
 * The browser test's standing-area check (scripts/browser-test.ts runs it): a fresh show
 * of a venue with a standing floor beside its seats; the page lists the floor's places
 * left and its price, the buyer holds 3 places by quantity, another page sees the count
 * drop live, and paying gives a booking of 3 places. Screenshot: test-results/standing.png.
 */
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { assert, callApi, check, resultsDir } from "./browser-support.ts";

type OpenPage = (browser: Browser, showId: string, label: string) => Promise<Page>;

async function festivalShow(base: string, adminToken: string): Promise<string> {
  const stamp = new Date().toISOString();
  const { event } = await callApi<{ event: { event_id: string } }>(
    base,
    adminToken,
    "POST",
    "/events",
    { name: `Standing test ${stamp}` },
  );
  const { venue } = await callApi<{ venue: { venue_id: string } }>(
    base,
    adminToken,
    "POST",
    "/venues",
    {
      name: "Riverside Grounds",
      city: "Testville",
      zones: [
        { name: "floor", general_admission: true, capacity: 40 },
        { name: "stands", rows: [{ row: "A", seats: 8 }] },
      ],
    },
  );
  const { show } = await callApi<{ show: { show_id: string } }>(
    base,
    adminToken,
    "POST",
    "/shows",
    {
      event_id: event.event_id,
      venue_id: venue.venue_id,
      show_time: new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString(),
      prices: { floor: 300, stands: 900 },
    },
  );
  return show.show_id;
}

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
  const showId = await festivalShow(base, adminToken);
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
