/**
 * A provider's API origin as configured (STRIPE_API_BASE, RAZORPAY_API_BASE): an origin with
 * no path, https, or plain http only on this machine (a local stand-in in tests): the secret
 * key travels in every request, never in the clear past this machine. `who` names the
 * gateway in the error.
 */
export function providerOrigin(who: string, apiBase: string): URL {
  const url = new URL(apiBase);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new Error(`${who}: apiBase must be an origin with no path, got ${apiBase}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`${who}: apiBase must be http(s), got ${apiBase}`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol === "http:" && !loopback) {
    throw new Error(`${who}: plain http is allowed only for a local stand-in`);
  }
  return url;
}
