/**
 * `node scripts/ticket-browser-test.ts [base]` (default http://127.0.0.1:8787, a server
 * started with `npm start`): the door, in Chromium. Books two seats on the demo show, opens
 * the first seat's ticket page at phone width, screenshots the QR code and decodes it
 * (ZXing), and checks the decoded token against the published JWKS (jose); then the scanner
 * page admits that ticket once and refuses the second scan, admits the other seat's own
 * ticket apart, online, and in offline mode with a later sync;
 * a ticket transferred from its page is refused at the door as "transferred", online and,
 * after the door's manifest sync, offline (scripts/ticket-transfer-browser-check.ts); a
 * ticket listed for resale from its page shows as resale on the seat-map page, is bought
 * there by another user, and is then void as "resold" on its page and at the door
 * (scripts/ticket-resale-browser-check.ts); and a door that scanned more tickets offline
 * than one sync request carries syncs them all.
 */
import { readFileSync } from "node:fs";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import { signAccessToken } from "../src/auth/access-token.ts";
import { callApi, TEST_CARD } from "./browser-support.ts";
import { ensureJwtSecret } from "./local-env.ts";
import { checkResale } from "./ticket-resale-browser-check.ts";
import { checkTransfer } from "./ticket-transfer-browser-check.ts";

const base = process.argv[2] ?? "http://127.0.0.1:8787";
const SHOW = "show_demo";
const secret = ensureJwtSecret();
// The decoder's WebAssembly from node_modules: by default ZXing would fetch it from a CDN.
prepareZXingModule({
  overrides: {
    wasmBinary: readFileSync(
      new URL("../node_modules/zxing-wasm/dist/reader/zxing_reader.wasm", import.meta.url),
    ).buffer as ArrayBuffer,
  },
});

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`FAILED: ${message}`);
  console.log(`ok: ${message}`);
}

/** The API as `token`, by its path under the origin (`/v1/...`). */
const api = <T>(method: string, path: string, token: string, body?: unknown): Promise<T> =>
  callApi<T>(base, token, method, path.slice("/v1".length), body);

/**
 * A confirmed booking of two free seats of the demo show: its first ticket's URL, and the
 * token of the second seat's own ticket.
 */
async function bookTicket(user: string): Promise<{ url: string; otherSeatToken: string }> {
  const token = await signAccessToken({ sub: user, role: "user", ttlSeconds: 3600 }, secret);
  const lock = await api<{ lock_id: string; seat_ids: string[] }>("POST", "/v1/seats/lock", token, {
    show_id: SHOW,
    quantity: 2,
  });
  const { booking } = await api<{ booking: { booking_id: string } }>(
    "POST",
    "/v1/bookings",
    token,
    {
      show_id: SHOW,
      lock_id: lock.lock_id,
      seat_ids: lock.seat_ids,
      user_id: user,
      payment_method: TEST_CARD,
    },
  );
  const read = await api<{ booking: { ticket_url: string; tickets: { ticket_id: string }[] } }>(
    "GET",
    `/v1/bookings/${booking.booking_id}`,
    token,
  );
  const [first, second] = read.booking.tickets;
  check(
    read.booking.ticket_url.endsWith(first?.ticket_id ?? "?") && second,
    "the booking of two seats has a ticket per seat, its URL the first's",
  );
  const { ticket } = await api<{ ticket: { token: string } }>(
    "GET",
    `/v1/tickets/${second.ticket_id}`,
    token,
  );
  return { url: read.booking.ticket_url, otherSeatToken: ticket.token };
}

/** A show of its own with `seats` seats: the demo show's seats run out over many runs. */
async function newShow(seats: number): Promise<string> {
  const admin = await signAccessToken(
    { sub: "door_admin", role: "admin", ttlSeconds: 3600 },
    secret,
  );
  const { event } = await api<{ event: { event_id: string } }>("POST", "/v1/events", admin, {
    name: "Door backlog",
  });
  const { venue } = await api<{ venue: { venue_id: string } }>("POST", "/v1/venues", admin, {
    name: "Backlog Hall",
    city: "Pune",
    zones: [
      { name: "floor", rows: [{ from: "1", to: String(Math.ceil(seats / 100)), seats: 100 }] },
    ],
  });
  const { show } = await api<{ show: { show_id: string } }>("POST", "/v1/shows", admin, {
    event_id: event.event_id,
    venue_id: venue.venue_id,
    show_time: new Date(Date.now() + 7 * 86_400_000).toISOString(),
    prices: { floor: 300 },
  });
  return show.show_id;
}

/** `count` tickets of one seat each on `showId`, each a buyer of its own: their tokens. */
async function ticketTokens(showId: string, count: number): Promise<string[]> {
  const run = crypto.randomUUID().slice(0, 8);
  const tokens: string[] = [];
  for (let start = 0; start < count; start += 10) {
    const part = Array.from({ length: Math.min(10, count - start) }, async (_, i) => {
      const user = `door_backlog_${run}_${start + i}`;
      const token = await signAccessToken({ sub: user, role: "user", ttlSeconds: 3600 }, secret);
      const lock = await api<{ lock_id: string; seat_ids: string[] }>(
        "POST",
        "/v1/seats/lock",
        token,
        {
          show_id: showId,
          quantity: 1,
        },
      );
      const { booking } = await api<{ booking: { ticket_id: string } }>(
        "POST",
        "/v1/bookings",
        token,
        {
          show_id: showId,
          lock_id: lock.lock_id,
          seat_ids: lock.seat_ids,
          user_id: user,
          payment_method: TEST_CARD,
        },
      );
      const { ticket } = await api<{ ticket: { token: string } }>(
        "GET",
        `/v1/tickets/${booking.ticket_id}`,
        token,
      );
      return ticket.token;
    });
    tokens.push(...(await Promise.all(part)));
  }
  return tokens;
}

let lastQrPng: Buffer | undefined;

/** The token in the ticket page's QR code, read from a screenshot. */
async function tokenFromPage(page: Page, ticketUrl: string): Promise<string> {
  await page.goto(ticketUrl);
  const png = await page.locator(".qr").screenshot();
  lastQrPng = png;
  const [code] = await readBarcodes(new Uint8Array(png), { formats: ["QRCode"] });
  check(code?.isValid, "the ticket page's QR code decodes from a screenshot");
  return code.text;
}

async function scan(page: Page, token: string): Promise<{ verdict: string; reason: string }> {
  await page.fill("#token", token);
  // Cleared first: two refusals in a row can read the same.
  await page.evaluate(() => document.getElementById("result")?.removeAttribute("data-verdict"));
  await page.click("#manual button[type=submit]");
  await page.waitForSelector("#result[data-verdict]");
  return {
    verdict: (await page.getAttribute("#result", "data-verdict")) ?? "",
    reason: (await page.textContent("#reason")) ?? "",
  };
}

async function run(browser: Browser): Promise<void> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`page error: ${err.message}`));

  const jwks = (await (await fetch(`${base}/v1/tickets/keys`)).json()) as JSONWebKeySet;
  const party = await bookTicket("door_online");
  const online = await tokenFromPage(page, party.url);
  const { payload } = await compactVerify(online, createLocalJWKSet(jwks));
  const claims = JSON.parse(new TextDecoder().decode(payload)) as { show_id: string };
  check(claims.show_id === SHOW, "the decoded token verifies with the published JWKS");
  const offline = await tokenFromPage(page, (await bookTicket("door_offline")).url);

  const scanner = await signAccessToken(
    { sub: "gate1", role: "scanner", ttlSeconds: 3600 },
    secret,
  );
  await page.goto(`${base}/scan/`);
  await page.fill("#scanner-token", scanner);
  await page.fill("#show-id", SHOW);
  await page.fill("#gate", "North");
  await page.click("#settings button[type=submit]");

  // The camera's fallback decoder (ZXing, WebAssembly from our assets) under the page's CSP.
  const decoded = await page.evaluate(async (png) => {
    type Zxing = {
      prepareZXingModule(o: { overrides: { locateFile(path: string): string } }): void;
      readBarcodes(b: Blob, o: { formats: string[] }): Promise<{ text: string }[]>;
    };
    const zxing = (globalThis as unknown as { ZXingWASM: Zxing }).ZXingWASM;
    zxing.prepareZXingModule({ overrides: { locateFile: (path) => `/vendor/zxing/${path}` } });
    const bytes = Uint8Array.from(atob(png), (ch) => ch.charCodeAt(0));
    const [code] = await zxing.readBarcodes(new Blob([bytes], { type: "image/png" }), {
      formats: ["QRCode"],
    });
    return code?.text ?? null;
  }, lastQrPng?.toString("base64") ?? "");
  check(decoded === offline, "the scanner page's own decoder reads the ticket's QR code");

  const first = await scan(page, online);
  check(first.verdict === "admitted", `online: the first scan is admitted (${first.reason})`);
  const second = await scan(page, online);
  check(
    second.verdict === "refused" && /Already used/.test(second.reason),
    `online: the second scan is refused (${second.reason})`,
  );
  const partner = await scan(page, party.otherSeatToken);
  check(
    partner.verdict === "admitted",
    `online: the party's other seat has its own ticket, admitted apart (${partner.reason})`,
  );

  await page.click("#load-manifest");
  await page.waitForFunction(() =>
    /Manifest v/.test(document.getElementById("offline-status")?.textContent ?? ""),
  );
  await page.check("#offline");
  await page.click("#settings button[type=submit]");
  await context.setOffline(true);
  const firstOffline = await scan(page, offline);
  check(
    firstOffline.verdict === "admitted",
    `offline: the first scan is admitted (${firstOffline.reason})`,
  );
  const secondOffline = await scan(page, offline);
  check(
    secondOffline.verdict === "refused" && /Already used/.test(secondOffline.reason),
    `offline: the second scan is refused (${secondOffline.reason})`,
  );
  const usedOnline = await scan(page, online);
  check(usedOnline.verdict === "refused", "offline: a ticket used online before is refused");
  await context.setOffline(false);
  await page.waitForFunction(() =>
    /Synced 1: 1 admitted/.test(document.getElementById("sync-status")?.textContent ?? ""),
  );
  check(true, "back online, the queued scan is synced and admitted by the server");
  await context.setOffline(false);
  const again = await scan(page, offline);
  check(again.verdict === "refused", "after the sync, the offline-admitted ticket stays refused");

  await checkTransfer({ base, secret, context, scanner: page, check, scan, bookTicket });
  await checkResale({ base, secret, browser, context, scanner: page, check, scan });

  await syncBacklog(page, context, scanner);
}

/** Tickets the door scans offline: more than the page sends in one sync request (200). */
const BACKLOG = 250;

/**
 * The door at a show of its own scans BACKLOG tickets offline, then comes back online: the
 * page syncs its queue in requests the server takes, dropping each answered batch, until
 * every scan is admitted.
 */
async function syncBacklog(page: Page, context: BrowserContext, scanner: string): Promise<void> {
  const showId = await newShow(BACKLOG);
  const tokens = await ticketTokens(showId, BACKLOG);
  await page.fill("#show-id", showId);
  await page.click("#settings button[type=submit]");
  await page.click("#load-manifest");
  await page.waitForFunction(
    (id) => (document.getElementById("offline-status")?.textContent ?? "").includes(id),
    showId,
  );
  await context.setOffline(true);
  for (const token of tokens) {
    const result = await scan(page, token);
    if (result.verdict !== "admitted") throw new Error(`FAILED: offline scan: ${result.reason}`);
  }
  const queued = await page.textContent("#offline-status");
  check(queued?.includes(`${BACKLOG} scan(s) to sync`), `offline: ${BACKLOG} scans queued`);
  // Every text the sync status shows, as the page writes it.
  await page.evaluate(() => {
    const status = document.getElementById("sync-status");
    const seen: string[] = [];
    (window as unknown as { syncTexts: string[] }).syncTexts = seen;
    if (status) {
      new MutationObserver(() => seen.push(status.textContent ?? "")).observe(status, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    }
  });
  await context.setOffline(false);
  await page.waitForFunction(
    (count) =>
      (document.getElementById("sync-status")?.textContent ?? "").startsWith(
        `Synced ${count}: ${count} admitted`,
      ),
    BACKLOG,
    { timeout: 60_000 },
  );
  const texts = await page.evaluate(() => (window as unknown as { syncTexts: string[] }).syncTexts);
  check(
    texts.includes(`Syncing: 200 of ${BACKLOG} sent...`),
    `back online, the ${BACKLOG} queued scans go in batches (${texts.filter((t) => t.startsWith("Syncing")).join(" / ")})`,
  );
  await page.waitForFunction(() =>
    / 0 scan\(s\) to sync/.test(document.getElementById("offline-status")?.textContent ?? ""),
  );
  const { manifest } = await api<{ manifest: { used: unknown[]; valid: unknown[] } }>(
    "GET",
    `/v1/shows/${showId}/checkins/manifest`,
    scanner,
  );
  check(
    manifest.used.length === BACKLOG && manifest.valid.length === 0,
    `the server admitted all ${BACKLOG} and the page's queue is empty`,
  );
}

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
try {
  await run(browser);
  console.log("ticket browser test passed");
} finally {
  await browser.close();
}
