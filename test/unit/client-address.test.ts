import { describe, expect, it } from "vitest";
import { addressKey } from "../../src/limits/client-address.ts";

describe("addressKey: who an anonymous client is for rate limiting", () => {
  it("keys an IPv4 client by its address", () => {
    expect(addressKey("203.0.113.7")).toBe("ip:203.0.113.7");
    expect(addressKey("203.0.113.8")).toBe("ip:203.0.113.8");
  });

  it("reads a zero-padded IPv4 address as the same address", () => {
    expect(addressKey("203.000.113.007")).toBe("ip:203.0.113.7");
  });

  it("keys every address of one IPv6 /64 alike, so rotating the interface id gains nothing", () => {
    const key = addressKey("2001:db8:1:2::1");
    expect(key).toBe("ip6:2001:db8:1:2::/64");
    expect(addressKey("2001:db8:1:2:ffff:ffff:ffff:ffff")).toBe(key);
    expect(addressKey("2001:db8:1:2:8a2e:370:7334:1")).toBe(key);
  });

  it("keys neighbouring /64s apart", () => {
    expect(addressKey("2001:db8:1:3::1")).not.toBe(addressKey("2001:db8:1:2::1"));
    expect(addressKey("2001:db9:1:2::1")).not.toBe(addressKey("2001:db8:1:2::1"));
  });

  it.each([
    "2001:0db8:0000:0000:0000:0000:0000:0001",
    "2001:db8::1",
    "2001:DB8::1",
    "2001:db8:0:0:1::",
    "2001:0DB8:0:0::abcd",
    "2001:db8::1.2.3.4",
    "2001:db8::1%eth0",
  ])("normalises %s to the /64 2001:db8:0:0", (address) => {
    expect(addressKey(address)).toBe("ip6:2001:db8:0:0::/64");
  });

  it("keeps a zone id out of the key", () => {
    expect(addressKey("fe80::1%eth0")).toBe("ip6:fe80:0:0:0::/64");
  });

  it.each(["::ffff:1.2.3.4", "::FFFF:1.2.3.4", "0:0:0:0:0:ffff:1.2.3.4", "::ffff:102:304"])(
    "counts the IPv4-mapped %s as the IPv4 address 1.2.3.4",
    (address) => {
      expect(addressKey(address)).toBe("ip:1.2.3.4");
    },
  );

  it("keys the all-zero and loopback IPv6 addresses by their /64", () => {
    expect(addressKey("::")).toBe("ip6:0:0:0:0::/64");
    expect(addressKey("::1")).toBe("ip6:0:0:0:0::/64");
  });

  it.each([
    undefined,
    "",
    "unknown",
    "1.2.3",
    "1.2.3.4.5",
    "1.2.3.256",
    "1.2.3.-4",
    "1.2.3.4 ",
    "2001:db8:::1",
    "2001:db8::1::2",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "12345::1",
    "2001:db8::g",
    "::ffff:1.2.3",
    "::ffff:1.2.3.4:5",
    `${"1:".repeat(500)}1`,
  ])("puts %j, which is no address, in one shared bucket", (address) => {
    expect(addressKey(address)).toBe("ip:unknown");
  });
});
