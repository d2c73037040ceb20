/**
 * `node scripts/ticket-browser-test.ts [base]` (default http://127.0.0.1:8787, a server
 * started with `npm start`): the door, in Chromium. Books a ticket on the demo show, opens
 * its page at phone width, screenshots the QR code and decodes it (ZXing), and checks the
 * decoded token against the published JWKS (jose); then the scanner page admits that
 * ticket once and refuses the second scan, online, and in offline mode with a later sync.
 */
import { readFileSync } from "node:fs";
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from "jose";
import { type Browser, chromium, type Page } from "playwright-core";
import { prepareZXingModule, readBarcodes } from "zxing-wasm/reader";
import { signAccessToken } from "../src/auth/access-token.ts";
import { ensureJwtSecret } from "./local-env.ts";

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

async function api<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
      "Idempotency-Key": crypto.randomUUID(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** A confirmed booking of two free seats of the demo show: its ticket URL. */
async function bookTicket(user: string): Promise<string> {
  const token = await signAccessToken({ sub: user, role: "user", ttlSeconds: 3600 }, secret);
  const lock = await api<{ lock_id: string; seat_ids: string[] }>("POST", "/v1/seats/lock", token, {
    show_id: SHOW,
    quantity: 2,
  });
  const card = {
    type: "credit_card",
    card_number: "4242424242424242",
    expiry_month: 12,
    expiry_year: 2031,
    cvv: "123",
  };
  const { booking } = await api<{ booking: { booking_id: string } }>(
    "POST",
    "/v1/bookings",
    token,
    {
      show_id: SHOW,
      lock_id: lock.lock_id,
      seat_ids: lock.seat_ids,
      user_id: user,
      payment_method: card,
    },
  );
  const read = await api<{ booking: { ticket_url: string } }>(
    "GET",
    `/v1/bookings/${booking.booking_id}`,
    token,
  );
  return read.booking.ticket_url;
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
  const online = await tokenFromPage(page, await bookTicket("door_online"));
  const { payload } = await compactVerify(online, createLocalJWKSet(jwks));
  const claims = JSON.parse(new TextDecoder().decode(payload)) as { show_id: string };
  check(claims.show_id === SHOW, "the decoded token verifies with the published JWKS");
  const offline = await tokenFromPage(page, await bookTicket("door_offline"));

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
