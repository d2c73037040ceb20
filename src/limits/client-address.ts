/**
 * Who an anonymous client is for rate limiting, from its address (CF-Connecting-IP).
 *
 * An IPv4 client is its address. An IPv6 client is its /64: one subscriber or host is
 * routinely handed a whole /64 (RFC 6177, SLAAC privacy addresses), so keying by the full
 * address would let a client take a fresh budget per address simply by rotating its
 * interface id. The same address written differently (compressed or expanded, zero-padded,
 * upper or lower case, with a zone id) gets the same key, and an IPv4-mapped IPv6 address
 * (::ffff:1.2.3.4) is the IPv4 client it stands for. Anything that is not an address shares
 * one bucket, so garbage cannot be rotated into fresh budgets either.
 *
 * Pure, without runtime imports, so it can be tested on its own.
 */

const UNKNOWN_CLIENT = "ip:unknown";

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEXTET = /^[0-9a-f]{1,4}$/i;
/** Longer than any textual IPv6 address (45 characters, plus room for a zone id). */
const MAX_ADDRESS_LENGTH = 100;

/** The four octets of a dotted-quad IPv4 address, or undefined. */
function parseIpv4(text: string): number[] | undefined {
  const match = IPV4.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets : undefined;
}

/** Hextets of one side of "::" (empty for an empty side); a trailing IPv4 part makes two. */
function parseHextets(side: string, mayEndInIpv4: boolean): number[] | undefined {
  if (side === "") return [];
  const parts = side.split(":");
  const hextets: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (mayEndInIpv4 && index === parts.length - 1 && part.includes(".")) {
      const octets = parseIpv4(part);
      if (!octets) return undefined;
      const [a = 0, b = 0, c = 0, d = 0] = octets;
      hextets.push((a << 8) | b, (c << 8) | d);
    } else if (HEXTET.test(part)) {
      hextets.push(Number.parseInt(part, 16));
    } else {
      return undefined;
    }
  }
  return hextets;
}

/** The eight hextets of an IPv6 address (RFC 4291 section 2.2 text forms), or undefined. */
function parseIpv6(text: string): number[] | undefined {
  // A zone id (fe80::1%eth0) names the local interface, not a different client.
  const address = text.split("%", 1)[0] ?? "";
  const halves = address.split("::");
  if (halves.length > 2) return undefined;
  const [head = "", tail] = halves;
  if (tail === undefined) {
    const hextets = parseHextets(head, true);
    return hextets?.length === 8 ? hextets : undefined;
  }
  const before = parseHextets(head, false);
  const after = parseHextets(tail, true);
  if (!before || !after || before.length + after.length > 7) return undefined;
  const zeros = new Array<number>(8 - before.length - after.length).fill(0);
  return [...before, ...zeros, ...after];
}

/** ::ffff:0:0/96 (RFC 4291 section 2.5.5.2): an IPv4 client reached over IPv6. */
function mappedIpv4(hextets: number[]): string | undefined {
  const isMapped = hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff;
  if (!isMapped) return undefined;
  const [high = 0, low = 0] = hextets.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

/** The rate-limit key of an anonymous client: `ip:<IPv4>`, `ip6:<first 64 bits>::/64`. */
export function addressKey(address: string | undefined): string {
  if (!address || address.length > MAX_ADDRESS_LENGTH) return UNKNOWN_CLIENT;
  const ipv4 = parseIpv4(address);
  if (ipv4) return `ip:${ipv4.join(".")}`;
  const hextets = parseIpv6(address);
  if (!hextets) return UNKNOWN_CLIENT;
  const mapped = mappedIpv4(hextets);
  if (mapped) return `ip:${mapped}`;
  const prefix = hextets
    .slice(0, 4)
    .map((h) => h.toString(16))
    .join(":");
  return `ip6:${prefix}::/64`;
}
