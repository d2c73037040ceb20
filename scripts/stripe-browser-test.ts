/**
 * `npm run test:browser:stripe`: the seat-map page paying through Stripe, in Chromium.
 *
 * Starts the Stripe stand-in server (scripts/stripe-stand-in-server.ts) and the Worker the
 * way `npm start` does, with Stripe as the provider: STRIPE_API_BASE is the stand-in, and
 * the stand-in posts its signed webhook events to the Worker. The page asks for Stripe.js
 * at Stripe's real URL, under its production CSP; Playwright answers that request with
 * scripts/stripe-js-stand-in.js, and the stand-in's own calls to api.stripe.com with the
 * stand-in server. Nothing else may leave the page.
 *
 * Checks: Stripe.js is loaded from js.stripe.com only, and Stripe's field takes the place of
 * the card fields; a visa card books the seats and shows the ticket; a declined card is
 * explained and the lock kept; a 3-D Secure card that the buyer fails ends `failed` with
 * the lock kept, and visa on the same lock then books; a 3-D Secure card the buyer completes
 * goes through handleNextAction and ends `confirmed`; no script errors, no CSP violations.
 * Prints each check, then "N passed, M failed"; exits non-zero on any failure. Every
 * process started is stopped at the end (the server by its process group).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page, Request } from "playwright-core";
import { signAccessToken } from "../src/auth/access-token.ts";
import { STAND_IN_SECRET_KEY } from "../test/support/stripe-stand-in.ts";
import {
  assert,
  callApi,
  check,
  createShow,
  launchChromium,
  resultsDir,
  type Server,
  seatSelector,
  seatStates,
  waitForHealth,
  withServer,
} from "./browser-support.ts";
import { ensureJwtSecret, projectRoot } from "./local-env.ts";
import { type StripeStandInServer, startStripeStandIn } from "./stripe-stand-in-server.ts";

const STRIPE_JS_URL = "https://js.stripe.com/v3/";
const PUBLISHABLE_KEY = "pk_test_stand_in";
const WEBHOOK_SECRET = "whsec_stripe_browser_test_not_real";
/** The whole run, server start included, stays well inside this. */
const WATCHDOG_MS = 120_000;
/** A payment, a 3-D Secure round and the booking read back: well under this. */
const OUTCOME_TIMEOUT_MS = 15_000;

const standInScript = readFileSync(join(projectRoot, "scripts", "stripe-js-stand-in.js"), "utf8");

interface Outside {
  /** Every request that left the Worker's origin. */
  requests: string[];
  cspViolations: string[];
  pageErrors: string[];
}

/**
 * One browser context with Stripe's two origins answered locally: js.stripe.com by the
 * Stripe.js stand-in, api.stripe.com/_stand_in/ by the stand-in server. Other outside
 * requests are recorded and refused.
 */
async function stripeContext(
  context: BrowserContext,
  server: Server,
  standIn: StripeStandInServer,
  outside: Outside,
): Promise<void> {
  const host = new URL(server.base).host;
  context.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol !== "data:" && url.host !== host) outside.requests.push(url.href);
  });
  await context.route(
    (url) => url.host !== host,
    async (route) => {
      const url = new URL(route.request().url());
      if (url.href === STRIPE_JS_URL) {
        await route.fulfill({ contentType: "text/javascript", body: standInScript });
      } else if (
        url.origin === "https://api.stripe.com" &&
        url.pathname.startsWith("/_stand_in/")
      ) {
        const answer = await fetch(`${standIn.origin}${url.pathname}`, {
          method: route.request().method(),
          body: route.request().postData() ?? undefined,
        });
        await route.fulfill({
          status: answer.status,
          contentType: "application/json",
          // The page's origin reads it, as it reads Stripe's real API.
          headers: { "Access-Control-Allow-Origin": server.base },
          body: await answer.text(),
        });
      } else {
        await route.abort("blockedbyclient");
      }
    },
  );
  await context.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) =>
      seen.push(`${event.effectiveDirective} ${event.blockedURI}`),
    );
  });
}

// ---- the page's steps ----------------------------------------------------------------------

const cardField = "#payment-element input[name='cardnumber']";

async function lockSeats(page: Page, seatIds: string[]): Promise<string> {
  for (const seatId of seatIds) await page.click(seatSelector(seatId));
  const answer = page.waitForResponse(
    (response) =>
      response.url().endsWith("/v1/seats/lock") && response.request().method() === "POST",
  );
  await page.click("#lock-button");
  const response = await answer;
  assert(response.status() === 200, `POST /v1/seats/lock answered ${response.status()}`);
  await page.waitForSelector(`${cardField}`, { state: "visible", timeout: 5_000 });
  return ((await response.json()) as { lock_id: string }).lock_id;
}

interface BookingCall {
  request: Record<string, unknown>;
  status: number;
  body: {
    booking?: { booking_id: string; lock_id?: string; status: string };
    payment?: { status: string; client_secret: string; provider: string };
    error?: { code: string };
  };
}

/** Types `card` into Stripe's field and pays: the POST /v1/bookings sent and its answer. */
async function pay(page: Page, card: string): Promise<BookingCall> {
  await page.fill(cardField, card);
  const answer = page.waitForResponse(
    (response) => response.url().endsWith("/v1/bookings") && response.request().method() === "POST",
    { timeout: OUTCOME_TIMEOUT_MS },
  );
  await page.click("#pay-button");
  const response = await answer;
  return {
    request: JSON.parse((response.request() as Request).postData() ?? "{}"),
    status: response.status(),
    body: await response.json(),
  };
}

const noticeText = async (page: Page) => (await page.textContent("#notice"))?.trim() ?? "";

async function waitForNotice(page: Page, fragment: string): Promise<string> {
  await page
    .waitForFunction(
      (fragment) => document.getElementById("notice")?.textContent?.includes(fragment),
      fragment,
      { timeout: OUTCOME_TIMEOUT_MS },
    )
    .catch(async () => {
      throw new Error(`the notice says ${JSON.stringify(await noticeText(page))}`);
    });
  return noticeText(page);
}

/** The ticket panel for a confirmed booking: its booking id. */
async function ticketShown(page: Page): Promise<string> {
  await page.waitForSelector("#ticket-panel:not([hidden])", { timeout: OUTCOME_TIMEOUT_MS });
  const bookingId = (await page.textContent("#ticket-booking"))?.trim() ?? "";
  assert(/^booking_/.test(bookingId), `the ticket shows booking ${JSON.stringify(bookingId)}`);
  return bookingId;
}

/** The 3-D Secure page (the stand-in's dialog), answered by the buyer. */
async function answerBank(page: Page, choice: "Complete" | "Fail"): Promise<void> {
  const dialog = page.getByRole("dialog", { name: /3D Secure/ });
  await dialog.waitFor({ timeout: OUTCOME_TIMEOUT_MS });
  await dialog.getByRole("button", { name: choice, exact: true }).click();
}

// ---- the run -------------------------------------------------------------------------------

async function run(server: Server, standIn: StripeStandInServer): Promise<void> {
  const started = Date.now();
  await waitForHealth(server);
  console.log(`server up on ${server.base} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  standIn.webhookUrl = `${server.base}/v1/payments/webhooks/stripe`;

  const adminToken = await signAccessToken(
    { sub: "stripe_browser_test", role: "admin", ttlSeconds: 3600 },
    ensureJwtSecret(),
  );
  const { showId, seat } = await createShow(server.base, adminToken, "Stripe browser test");
  console.log(`fresh show ${showId}; Stripe stand-in at ${standIn.origin}`);
  const booking = (id: string) =>
    callApi<{ booking: { status: string; payment_id: string | null } }>(
      server.base,
      adminToken,
      "GET",
      `/bookings/${id}`,
    ).then((answer) => answer.booking);
  const seatMapStatus = async (seatIds: string[]) => {
    const map = await callApi<{ seats: { seat_id: string; status: string }[] }>(
      server.base,
      adminToken,
      "GET",
      `/shows/${showId}/seats`,
    );
    return seatIds.map((id) => map.seats.find((s) => s.seat_id === id)?.status ?? "none");
  };

  const browser = await launchChromium();
  const outside: Outside = { requests: [], cspViolations: [], pageErrors: [] };
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await stripeContext(context, server, standIn, outside);
    const page = await context.newPage();
    page.on("pageerror", (error) => outside.pageErrors.push(error.message));
    const loaded = await page.goto(`${server.base}/?show=${encodeURIComponent(showId)}`);
    const csp = (await loaded?.allHeaders())?.["content-security-policy"] ?? "";
    const standInCalls = () =>
      page.evaluate(
        () =>
          (globalThis as unknown as { __stripeStandIn: { calls: Record<string, unknown>[] } })
            .__stripeStandIn.calls,
      );

    const ready = await check(
      "the page loads Stripe.js from js.stripe.com only, and Stripe's field replaces the card fields",
      async () => {
        await page.waitForSelector(`${seatSelector(seat("A", 1))}[data-state='available']`, {
          timeout: 10_000,
        });
        await page.waitForFunction(
          () => typeof (globalThis as { Stripe?: unknown }).Stripe === "function",
          null,
          {
            timeout: 10_000,
          },
        );
        const scripts = await page.$$eval("script[src]", (found) =>
          found.map((script) => (script as HTMLScriptElement).src),
        );
        const outsideScripts = scripts.filter((src) => !src.startsWith(server.base));
        assert(
          outsideScripts.join() === STRIPE_JS_URL,
          `outside scripts: ${outsideScripts.join(", ")}`,
        );
        assert(
          outside.requests.join() === STRIPE_JS_URL,
          `outside requests: ${outside.requests.join(", ")}`,
        );
        // The page's production policy (public/_headers) lets Stripe's origins in, and only those.
        for (const directive of [
          "script-src 'self' https://js.stripe.com;",
          "frame-src https://js.stripe.com https://hooks.stripe.com;",
          "connect-src 'self' https://api.stripe.com;",
        ]) {
          assert(csp.includes(directive), `the page's CSP lacks "${directive}": ${csp}`);
        }
        const [first] = await standInCalls();
        assert(
          first?.call === "Stripe" && first.publishableKey === PUBLISHABLE_KEY,
          `Stripe() was called as ${JSON.stringify(first)}`,
        );
        await page.waitForSelector("#card-fields", { state: "hidden" });
        await page.waitForSelector("#test-cards-box", { state: "hidden" });
        return `Stripe(${PUBLISHABLE_KEY})`;
      },
    );
    if (!ready) return;

    await check("a visa card books the seats and shows the ticket", async () => {
      const seats = [seat("A", 1), seat("A", 2)];
      await lockSeats(page, seats);
      const elements = (await standInCalls()).find((call) => call.call === "elements");
      assert(
        JSON.stringify(elements?.options) ===
          JSON.stringify({
            mode: "payment",
            amount: 150_000,
            currency: "inr",
            paymentMethodCreation: "manual",
          }),
        `elements() was called with ${JSON.stringify(elements?.options)}`,
      );
      const call = await pay(page, "4242424242424242");
      assert(call.status === 201, `POST /v1/bookings answered ${call.status}`);
      assert(
        JSON.stringify(call.request.payment_method) ===
          JSON.stringify({ type: "stripe", payment_method: "pm_card_visa" }),
        `the page sent payment_method ${JSON.stringify(call.request.payment_method)}`,
      );
      const bookingId = await ticketShown(page);
      const states = await seatStates(page, seats);
      assert(states.join() === "booked,booked", `the seats are ${states.join(", ")}`);
      const read = await booking(bookingId);
      assert(read.status === "confirmed", `the API says the booking is ${read.status}`);
      return `${bookingId}, paid by ${read.payment_id}`;
    });

    // The next lock: a decline, a failed 3-D Secure, then visa, all on this one lock.
    const seats = [seat("A", 4), seat("A", 5)];
    await page.click("#book-more");
    const lockId = await lockSeats(page, seats);

    await check("a declined card is explained and the seats stay held", async () => {
      const call = await pay(page, "4000000000000002");
      assert(call.status === 422, `POST /v1/bookings answered ${call.status}`);
      const notice = await waitForNotice(page, "declined");
      assert(
        notice ===
          "Your card ending 0002 was declined. Try another card; your seats are still held.",
        `the notice says ${JSON.stringify(notice)}`,
      );
      const states = await seatStates(page, seats);
      assert(states.join() === "own-lock,own-lock", `the seats are ${states.join(", ")}`);
      return "card ending 0002";
    });

    let failedBookingId = "";
    await check(
      "a 3-D Secure card the buyer fails ends failed, and the seats stay held",
      async () => {
        const call = await pay(page, "4000002760003184");
        assert(
          call.status === 202 && call.body.payment?.status === "requires_action",
          `POST /v1/bookings answered ${call.status} ${JSON.stringify(call.body)}`,
        );
        failedBookingId = call.body.booking?.booking_id ?? "";
        await waitForNotice(page, "Your bank asks you to confirm");
        await answerBank(page, "Fail");
        const notice = await waitForNotice(page, "did not confirm");
        const handled = (await standInCalls()).filter((c) => c.call === "handleNextAction");
        assert(
          handled.at(-1)?.clientSecret === call.body.payment?.client_secret,
          "handleNextAction was not given the payment's client secret",
        );
        const read = await booking(failedBookingId);
        assert(read.status === "failed", `the API says the booking is ${read.status}`);
        const states = await seatStates(page, seats);
        assert(states.join() === "own-lock,own-lock", `the page shows ${states.join(", ")}`);
        const held = await seatMapStatus(seats);
        assert(held.join() === "locked,locked", `the API says the seats are ${held.join(", ")}`);
        await page.screenshot({ path: join(resultsDir, "stripe-3ds-failed.png") });
        return notice;
      },
    );

    await check("visa on the same lock then books the seats", async () => {
      const call = await pay(page, "4242424242424242");
      assert(call.status === 201, `POST /v1/bookings answered ${call.status}`);
      assert(call.request.lock_id === lockId, `the retry used lock ${call.request.lock_id}`);
      const bookingId = await ticketShown(page);
      const read = await booking(bookingId);
      assert(read.status === "confirmed", `the API says the booking is ${read.status}`);
      const states = await seatStates(page, seats);
      assert(states.join() === "booked,booked", `the seats are ${states.join(", ")}`);
      return `${lockId} → ${bookingId}`;
    });

    await check(
      "a 3-D Secure card the buyer completes goes through handleNextAction and ends confirmed",
      async () => {
        const seats = [seat("B", 1), seat("B", 2)];
        await page.click("#book-more");
        await lockSeats(page, seats);
        const call = await pay(page, "4000002760003184");
        assert(
          call.status === 202 && call.body.payment?.status === "requires_action",
          `POST /v1/bookings answered ${call.status} ${JSON.stringify(call.body)}`,
        );
        await answerBank(page, "Complete");
        const bookingId = await ticketShown(page);
        assert(
          bookingId === call.body.booking?.booking_id,
          `the ticket shows ${bookingId}, the 202 was about ${call.body.booking?.booking_id}`,
        );
        const read = await booking(bookingId);
        assert(read.status === "confirmed", `the API says the booking is ${read.status}`);
        const delivered = standIn.deliveries.filter((d) => d.type === "payment_intent.succeeded");
        assert(
          delivered.length === 1 && delivered[0]?.status === 200,
          `webhook deliveries: ${JSON.stringify(standIn.deliveries)}`,
        );
        await page.screenshot({ path: join(resultsDir, "stripe-confirmed.png") });
        return bookingId;
      },
    );

    await check(
      "no script errors, no CSP violations, nothing outside Stripe's origins",
      async () => {
        assert(outside.pageErrors.length === 0, outside.pageErrors.join("; "));
        const violations = await page.evaluate(
          () => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations,
        );
        assert(violations.length === 0, `CSP violations: ${violations.join(", ")}`);
        const elsewhere = outside.requests.filter(
          (url) =>
            url !== STRIPE_JS_URL &&
            !/^https:\/\/api\.stripe\.com\/_stand_in\/intents\/[^/]+\/action$/.test(url),
        );
        assert(elsewhere.length === 0, `requests elsewhere: ${elsewhere.join(", ")}`);
        return `${outside.requests.length} requests to Stripe's origins`;
      },
    );
  } finally {
    await browser.close();
  }
}

const standIn = await startStripeStandIn({
  secretKey: STAND_IN_SECRET_KEY,
  webhookSecret: WEBHOOK_SECRET,
});
try {
  process.exitCode = await withServer(
    {
      watchdogMs: WATCHDOG_MS,
      // Stripe as the provider, its API the stand-in (http is allowed for 127.0.0.1). The
      // secrets are the stand-in's own, not real keys; npm start's default stays simulated.
      wranglerArgs: [
        ["PAYMENT_PROVIDER", "stripe"],
        ["STRIPE_API_BASE", standIn.origin],
        ["STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY],
        ["STRIPE_SECRET_KEY", STAND_IN_SECRET_KEY],
        ["STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET],
      ].flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    },
    (server) => run(server, standIn),
  );
} finally {
  await standIn.close();
}
