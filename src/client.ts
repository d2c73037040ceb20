import { hc } from "hono/client";
import type { AppType } from "./app.ts";

/**
 * A typed client of this API for TypeScript consumers, from the app's own route
 * declarations (hono/client): paths, request bodies, headers and answers are checked at
 * compile time against what the routes validate and document.
 *
 *     const api = ticketClient("http://127.0.0.1:8787", { token });
 *     const res = await api.v1.seats.lock.$post({ json: { show_id, quantity: 2 } });
 *     if (res.status === 200) console.log((await res.json()).lock_id);
 */
export function ticketClient(
  baseUrl: string,
  options: { token?: string; fetch?: typeof fetch } = {},
) {
  return hc<AppType>(baseUrl, {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    headers: options.token ? { Authorization: `Bearer ${options.token}` } : {},
  });
}

export type TicketClient = ReturnType<typeof ticketClient>;
