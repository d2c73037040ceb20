/**
 * The Stripe stand-in of test/support/stripe-stand-in.ts served over HTTP on this machine,
 * for what runs the Worker in its own process (the browser test, the bench): the Worker is
 * started with STRIPE_API_BASE = this server's origin and talks to it through the official
 * `stripe` package as it would to api.stripe.com.
 *
 * Besides Stripe's own routes it answers two of its own, under /_stand_in/ (Stripe has no
 * such path), standing for what the buyer and Stripe do outside our API:
 * - POST /_stand_in/intents/{id}/action `{"result": "succeeds" | "fails"}`: the buyer
 *   finishes (or fails) 3-D Secure; the event Stripe would send
 *   (`payment_intent.succeeded` or `payment_intent.payment_failed`) is then signed and
 *   posted to `webhookUrl`, as Stripe posts to a registered endpoint.
 * - GET /_stand_in/ledger: every intent and refund made, for invariant checks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { STAND_IN_SECRET_KEY, StripeStandIn } from "../test/support/stripe-stand-in.ts";

export interface StripeStandInServer {
  /** http://127.0.0.1:<port>: the Worker's STRIPE_API_BASE. */
  origin: string;
  standIn: StripeStandIn;
  /** Where events are posted (the Worker's /v1/payments/webhooks/stripe), once known. */
  webhookUrl: string | undefined;
  /** The events posted so far and the status each got. */
  deliveries: { type: string; intentId: string; status: number }[];
  close(): Promise<void>;
}

export interface StripeStandInOptions {
  /** 0 (default): any free port. */
  port?: number;
  secretKey?: string;
  /** STRIPE_WEBHOOK_SECRET as the Worker has it: events are signed with it. */
  webhookSecret?: string;
  webhookUrl?: string;
}

export async function startStripeStandIn(
  options: StripeStandInOptions = {},
): Promise<StripeStandInServer> {
  let standIn: StripeStandIn | undefined;
  const deliveries: StripeStandInServer["deliveries"] = [];
  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    });
  });
  const self: StripeStandInServer = {
    origin: "",
    get standIn() {
      if (!standIn) throw new Error("the stand-in server is not listening");
      return standIn;
    },
    webhookUrl: options.webhookUrl,
    deliveries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? "/", self.origin);
    if (url.pathname === "/_stand_in/ledger") {
      return send(res, 200, { intents: self.standIn.intents, refunds: self.standIn.refunds });
    }
    const action = /^\/_stand_in\/intents\/([^/]+)\/action$/.exec(url.pathname);
    if (action?.[1] && req.method === "POST") {
      const { result } = JSON.parse(body.toString() || "{}") as { result?: "succeeds" | "fails" };
      const intentId = decodeURIComponent(action[1]);
      self.standIn.completeAction(intentId, result === "fails" ? "fails" : "succeeds");
      const status = await deliver(
        result === "fails" ? "payment_intent.payment_failed" : "payment_intent.succeeded",
        intentId,
      );
      return send(res, 200, { intent_id: intentId, webhook_status: status });
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === "string") headers.set(name, value);
    }
    const request = new Request(url, {
      method: req.method ?? "GET",
      headers,
      ...(req.method === "GET" || req.method === "HEAD" ? {} : { body }),
    });
    const response = await self.standIn.serve(request);
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  /** Signs and posts one event about an intent to the webhook URL; its status (0: none sent). */
  async function deliver(type: string, intentId: string): Promise<number> {
    const intent = self.standIn.intents.find((i) => i.id === intentId);
    if (!self.webhookUrl || !intent) return 0;
    const { body, header } = await self.standIn.signedEvent(
      type,
      self.standIn.intentView(intent, ["latest_charge"]),
      { secret: options.webhookSecret ?? self.standIn.webhookSecret },
    );
    const res = await fetch(self.webhookUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Stripe-Signature": header },
      body,
    });
    deliveries.push({ type, intentId, status: res.status });
    return res.status;
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  self.origin = `http://127.0.0.1:${port}`;
  standIn = new StripeStandIn(self.origin, options.secretKey ?? STAND_IN_SECRET_KEY);
  return self;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json");
  res.end(JSON.stringify(body));
}
