/**
 * Which URLs a webhook may point at. The API calls these URLs from Cloudflare's network on
 * an admin's word, so a target must be public: https only, and no private, loopback,
 * link-local or otherwise internal address written as a literal IP or an obviously local
 * name. A name that resolves to a private address (DNS rebinding) is not caught here: the
 * Workers runtime resolves names itself and offers no hook to check the answer; on
 * Cloudflare, fetch() cannot reach private networks anyway.
 *
 * Local development lists hosts it may call over http whatever they are
 * (`WEBHOOK_LOCAL_TARGETS`, e.g. "127.0.0.1"): `npm start` and the tests set it.
 */

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Names that always mean this machine or a private network. */
const LOCAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)\.?$/i;

/** IPv4 ranges that are not public (CIDR base, prefix length). */
const PRIVATE_V4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // protocol assignments
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
];

/** The hosts `WEBHOOK_LOCAL_TARGETS` lists (comma-separated), lower case. */
export function localTargets(configured: string | undefined): Set<string> {
  return new Set(
    (configured ?? "")
      .split(",")
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** Whether `raw` may be a webhook's target; the reason when not. */
export function checkTarget(raw: string, allowedLocal: ReadonlySet<string>): TargetCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not a URL" };
  }
  if (url.username || url.password) {
    return { ok: false, reason: "may not carry a user name or password" };
  }
  // The URL parser has already normalised the host: IPv4 in any notation (0x7f.1,
  // 2130706433) is dotted decimal, IPv6 is bracketed and compressed.
  const host = url.hostname.toLowerCase();
  if (allowedLocal.has(host)) {
    if (url.protocol === "https:" || url.protocol === "http:") return { ok: true, url };
    return { ok: false, reason: "must be an http(s) URL" };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "must be an https URL" };
  if (isLocalHost(host)) {
    return { ok: false, reason: "points to a private, loopback or link-local address" };
  }
  return { ok: true, url };
}

/** Whether a (normalised) host names a non-public address or an obviously local name. */
export function isLocalHost(host: string): boolean {
  if (host.startsWith("[")) return isPrivateV6(host.slice(1, -1));
  const v4 = parseV4(host);
  if (v4 !== undefined) return isPrivateV4(v4);
  // A single label (no dot) is resolved against local search domains.
  return LOCAL_NAME.test(host) || !host.includes(".");
}

function parseV4(host: string): number | undefined {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function isPrivateV4(address: number): boolean {
  return PRIVATE_V4.some(([base, bits]) => {
    const start = parseV4(base) ?? 0;
    const size = 2 ** (32 - bits);
    return address >= start && address < start + size;
  });
}

/** The eight 16-bit groups of an IPv6 address (with an embedded IPv4 tail), or undefined. */
function parseV6(text: string): number[] | undefined {
  let tail: number[] = [];
  let head = text;
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const n = parseV4(v4[1]);
    if (n === undefined) return undefined;
    tail = [Math.floor(n / 65536), n % 65536];
    head = `${text.slice(0, v4.index)}:`;
    if (head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const groups = (part: string | undefined) =>
    part ? part.split(":").filter((g) => g !== "") : [];
  const left = groups(halves[0]);
  const right = groups(halves[1]);
  const missing = 8 - tail.length - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const all = [...left, ...Array<string>(missing).fill("0"), ...right];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return [...all.map((g) => Number.parseInt(g, 16)), ...tail];
}

function isPrivateV6(text: string): boolean {
  const g = parseV6(text);
  // Anything we cannot read is refused rather than guessed at.
  if (!g) return true;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g6 = 0, h = 0] = g;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(7) && (h === 0 || h === 1)) return true; // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d): judged as the IPv4.
  if (zeroTo(5) && (f === 0xffff || f === 0)) return isPrivateV4(g6 * 65536 + h);
  // NAT64 (64:ff9b::/96) reaches the embedded IPv4.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) {
    return isPrivateV4(g6 * 65536 + h);
  }
  if ((a & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((a & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((a & 0xffc0) === 0xfec0) return true; // site-local (deprecated) fec0::/10
  if ((a & 0xff00) === 0xff00) return true; // multicast
  return false;
}
