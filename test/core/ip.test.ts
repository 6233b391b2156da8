import fc from "fast-check";
import ipaddr from "ipaddr.js";
import { describe, expect, it } from "vitest";
import { ipNetworkId, parseIp } from "../../src/core/ip.ts";
import { identifierProblem } from "../../src/core/keys.ts";

const prefix = fc.integer({ min: 32, max: 128 });

describe("IP addresses", () => {
  it("canonicalises every spelling of one address", () => {
    for (const text of ["2001:db8::1", "2001:0db8:0:0:0:0:0:1", "2001:DB8::1", "2001:db8:0::0:1"]) {
      expect(parseIp(text)).toBe("2001:db8::1");
    }
    expect(parseIp("fe80::1%eth0")).toBe("fe80::1");
  });

  it("reads an IPv4-mapped address as the IPv4 address it carries, in any spelling", () => {
    expect(parseIp("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(parseIp("::ffff:cb00:7109")).toBe("203.0.113.9");
    expect(parseIp("0:0:0:0:0:FFFF:CB00:7109")).toBe("203.0.113.9");
    expect(parseIp("::ffff:198.51.100.7")).toBe("198.51.100.7");
  });

  it("refuses what is not an address, and IPv4 shorthands no client sends", () => {
    for (const text of ["", "unknown", "1.2.3", "127.1", "0x7f.0.0.1", "01.2.3.4", "1.2.3.256"]) {
      expect(parseIp(text)).toBeUndefined();
    }
    expect(parseIp("2001:db8::1::2")).toBeUndefined();
    expect(parseIp(`::${"0".repeat(200)}1`)).toBeUndefined();
  });

  it("reads dotted-quad text as ipaddr.js does, canonical or not (property)", () => {
    const octet = fc.oneof(
      fc.integer({ min: 0, max: 300 }).map(String),
      fc.constantFrom("00", "01", "010", "-1", " 1", "1 "),
    );
    const quad = fc.tuple(octet, octet, octet, octet).map((parts) => parts.join("."));
    fc.assert(
      fc.property(fc.oneof(quad, fc.ipV4(), fc.ipV4Extended()), (text) => {
        const expected = ipaddr.IPv4.isValidFourPartDecimal(text)
          ? ipaddr.IPv4.parse(text).toString()
          : undefined;
        expect(parseIp(text)).toBe(expected);
      }),
    );
  });

  it("counts IPv4 per address and IPv6 per network", () => {
    expect(ipNetworkId("203.0.113.9", 64)).toBe("203.0.113.9");
    expect(ipNetworkId("2001:db8:1:2:3:4:5:6", 64)).toBe("2001-db8-1-2--/64");
    expect(ipNetworkId("2001:db8:1:2ff:3:4:5:6", 56)).toBe("2001-db8-1-200--/56");
    expect(ipNetworkId("2001:db8::1", 128)).toBe("2001-db8--1/128");
  });

  it("builds one id per network and never one for two (property)", () => {
    // Half the pairs share a network: the second address keeps the first one's leading bits
    // and varies the rest, so both answers of the property are exercised.
    const pair = fc
      .tuple(fc.ipV6(), fc.ipV6(), prefix, fc.boolean())
      .map(([a, b, bits, sameLead]) => {
        if (!sameLead) return { a, b, bits };
        const lead = (ipaddr.parse(a) as ipaddr.IPv6).toByteArray();
        const rest = (ipaddr.parse(b) as ipaddr.IPv6).toByteArray();
        const bytes = lead.map((byte, i) => {
          const keep = Math.max(0, Math.min(8, bits - 8 * i));
          const mask = (0xff << (8 - keep)) & 0xff;
          return (byte & mask) | ((rest[i] as number) & ~mask & 0xff);
        });
        return { a, b: ipaddr.fromByteArray(bytes).toString(), bits };
      });
    fc.assert(
      fc.property(pair, ({ a, b, bits }) => {
        const [ca, cb] = [parseIp(a), parseIp(b)];
        if (ca === undefined || cb === undefined) throw new Error(`unparsed ${a} or ${b}`);
        const [ida, idb] = [ipNetworkId(ca, bits), ipNetworkId(cb, bits)];
        expect(identifierProblem(ida)).toBeUndefined();
        const pa = ipaddr.parse(ca);
        const pb = ipaddr.parse(cb);
        // A mapped address counts as its IPv4 address, which counts alone.
        const sameNetwork =
          pa.kind() === pb.kind() &&
          (pa.kind() === "ipv4" ? ca === cb : (pa as ipaddr.IPv6).match(pb as ipaddr.IPv6, bits));
        expect(ida === idb).toBe(sameNetwork);
      }),
      { numRuns: 3_000 },
    );
  });

  it("gives every textual form of an address the same id (property)", () => {
    fc.assert(
      fc.property(fc.ipV6(), prefix, (text, bits) => {
        const canonical = parseIp(text) as string;
        const full = (ipaddr.parse(text) as ipaddr.IPv6).toNormalizedString();
        for (const form of [text.toUpperCase(), full, full.toUpperCase()]) {
          expect(ipNetworkId(parseIp(form) as string, bits)).toBe(ipNetworkId(canonical, bits));
        }
      }),
      { numRuns: 1_000 },
    );
  });

  it("never gives an IPv4 client and an IPv6 network the same id (property)", () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.ipV6(), prefix, (v4, v6, bits) => {
        const c6 = parseIp(v6) as string;
        fc.pre(c6.includes(":"));
        expect(ipNetworkId(parseIp(v4) as string, bits)).not.toBe(ipNetworkId(c6, bits));
      }),
      { numRuns: 1_000 },
    );
  });
});
