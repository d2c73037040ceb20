/**
 * Which URLs a webhook may point at. The API calls these URLs from Cloudflare's network on
 * an admin's word, so a target must be public: https only, and no private, loopback,
 * link-local or otherwise internal address written as a literal IP (IPv6 forms that carry
 * an IPv4 address included), and no local or reserved name. Only what the URL says is
 * checked: a public name that resolves to a private address (127.0.0.1.nip.io, DNS
 * rebinding) is not caught, as the Workers runtime resolves names itself and offers no
 * hook to check the answer; on Cloudflare, fetch() cannot reach private networks anyway.
 *
 * Local development lists hosts it may call over http whatever they are
 * (`WEBHOOK_LOCAL_TARGETS`, e.g. "127.0.0.1"): `npm start` and the tests set it.
 */

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/**
 * Names that never reach the public internet: this machine (localhost), multicast DNS
 * (local), private-use suffixes (internal, home.arpa, and the customary corp, home, lan,
 * intranet, localdomain), Kubernetes services (svc), and the special-use names of RFC 6761,
 * 7686 and 9476 (test, invalid, example, onion, alt).
 */
const LOCAL_NAME =
  /(^|\.)(localhost|local|internal|intranet|lan|corp|home|home\.arpa|localdomain|svc|test|invalid|example|onion|alt)\.?$/i;

const ADDRESS_REFUSED = "points to a private, loopback, link-local or reserved address";
const NAME_REFUSED = "names a loopback, local or reserved host, not a public one";

/** IPv4 ranges that are not public (CIDR base, prefix length). */
const PRIVATE_V4: readonly (readonly [string, number])[] = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata services live here)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // protocol assignments
  ["192.0.2.0", 24], // documentation (TEST-NET-1)
  ["192.88.99.0", 24], // 6to4 relay anycast (deprecated)
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["198.51.100.0", 24], // documentation (TEST-NET-2)
  ["203.0.113.0", 24], // documentation (TEST-NET-3)
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
  // Nothing listens on port 0; the URL parser keeps it (it only drops the default port).
  if (url.port === "0") return { ok: false, reason: "may not use port 0" };
  // The URL parser has already normalised the host: IPv4 in any notation (0x7f.1,
  // 2130706433) is dotted decimal, IPv6 is bracketed and compressed.
  const host = url.hostname.toLowerCase();
  if (allowedLocal.has(host)) {
    if (url.protocol === "https:" || url.protocol === "http:") return { ok: true, url };
    return { ok: false, reason: "must be an http(s) URL" };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "must be an https URL" };
  const refused = hostRefusal(host);
  return refused === undefined ? { ok: true, url } : { ok: false, reason: refused };
}

/**
 * Why a (normalised) host cannot be a target: a literal address that is not public, a name
 * that is local or reserved, or one with an empty label; undefined if it may be.
 */
function hostRefusal(host: string): string | undefined {
  if (host.startsWith("[")) return isPrivateV6(host.slice(1, -1)) ? ADDRESS_REFUSED : undefined;
  const v4 = parseV4(host);
  if (v4 !== undefined) return isPrivateV4(v4) ? ADDRESS_REFUSED : undefined;
  // One trailing dot is a fully qualified name; any other empty label is no DNS name.
  const labels = host.replace(/\.$/, "").split(".");
  if (labels.some((label) => label === "")) return "has an empty label in its host name";
  // A single label (no dot) is resolved against local search domains.
  if (labels.length < 2 || LOCAL_NAME.test(host)) return NAME_REFUSED;
  return undefined;
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

/**
 * Whether an IPv6 address is not a public one. Forms that carry an IPv4 address (mapped,
 * compatible, translated, well-known NAT64, 6to4) are judged as that address, since that is
 * where they lead; everything outside global unicast (2000::/3) is refused, as are the
 * special ranges inside it that no web server answers on.
 */
function isPrivateV6(text: string): boolean {
  const g = parseV6(text);
  // Anything we cannot read is refused rather than guessed at.
  if (!g) return true;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g6 = 0, h = 0] = g;
  const tailV4 = g6 * 65536 + h;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  // IPv4-compatible (::a.b.c.d; :: and ::1 are 0.0.0.0 and 0.0.0.1, "this network"),
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d).
  if (zeroTo(5) && (f === 0 || f === 0xffff)) return isPrivateV4(tailV4);
  if (zeroTo(4) && e === 0xffff && f === 0) return isPrivateV4(tailV4);
  // Well-known NAT64 (64:ff9b::/96) reaches the embedded IPv4; local-use NAT64
  // (64:ff9b:1::/48) reaches whatever the operator's translator serves.
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) {
    return isPrivateV4(tailV4);
  }
  // 6to4 (2002::/16) tunnels to the IPv4 in its next 32 bits.
  if (a === 0x2002) return isPrivateV4(b * 65536 + c);
  // Not global unicast: unspecified and reserved, discard-only (100::/64), local-use
  // NAT64, unique local (fc00::/7), link-local (fe80::/10), site-local, multicast.
  if ((a & 0xe000) !== 0x2000) return true;
  // IETF protocol assignments (2001::/23): Teredo (2001::/32), benchmarking, ORCHID.
  if (a === 0x2001 && b < 0x200) return true;
  if (a === 0x2001 && b === 0xdb8) return true; // documentation
  if (a === 0x3fff && b < 0x1000) return true; // documentation (3fff::/20)
  return false;
}
