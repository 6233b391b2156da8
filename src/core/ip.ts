import ipaddr from "ipaddr.js";

/**
 * IP subjects. A client is identified by its whole address (the request keeps it, so a block
 * can match any address or range); an ip-scoped policy counts by network, which is applied
 * only where its key is built:
 *
 * - IPv4 counts per address. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, in any spelling:
 *   detected by its bits, not its text) is the IPv4 address it carries.
 * - IPv6 counts per network prefix, /64 unless a policy says otherwise: a /64 is the smallest
 *   block an ISP hands a customer, and a device rotates freely inside it (privacy addresses),
 *   so counting per address would let one client dodge any limit. A shorter default (/56)
 *   would catch customers given a larger block, but would also lump together unrelated
 *   customers where a carrier hands out single /64s, so that is a per-policy choice.
 */
export const DEFAULT_IPV6_PREFIX = 64;
export const MIN_IPV6_PREFIX = 32;
export const MAX_IPV6_PREFIX = 128;

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
/** Dotted decimal, each part 0–255 without leading zeros. */
const CANONICAL_IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`);

/** Longer than any textual address, zone included; bounds what the parser is given. */
const MAX_ADDRESS_LENGTH = 100;

/**
 * The canonical text of an IP address: dotted decimal for IPv4 (and IPv4-mapped IPv6),
 * RFC 5952 for IPv6 (lower case, zeros compressed, no zone). Undefined when `text` is not an
 * address. IPv4 must be four decimal parts: `127.1` and `0x7f.0.0.1` are legal for
 * `inet_aton` but no client sends them, and accepting them would give one host many names.
 */
export function parseIp(text: string): string | undefined {
  // Most clients, and every CF-Connecting-IP of an IPv4 client, are already canonical; this
  // is what the parser below would answer for them, without its regular expressions.
  if (CANONICAL_IPV4.test(text)) return text;
  if (text.length > MAX_ADDRESS_LENGTH) return undefined;
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString();
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  const address = ipaddr.IPv6.parse(text);
  if (address.isIPv4MappedAddress()) return address.toIPv4Address().toString();
  // A zone names the interface a link-local address was seen on, not the client.
  address.zoneId = undefined;
  return address.toRFC5952String();
}

export const isIpv6 = (address: string): boolean => address.includes(":");

/**
 * The network an ip-scoped policy counts `address` under, as a key segment: the IPv4 address
 * itself, or the IPv6 network as `2001-db8-1-2--/64` (RFC 5952 with `-` for `:`, which the key
 * separator forbids; RFC 5952 text holds no `-`, so the mapping is one to one). Takes a
 * canonical address from `parseIp`.
 */
export function ipNetworkId(address: string, ipv6Prefix: number): string {
  if (!isIpv6(address)) return address;
  const network = ipaddr.IPv6.networkAddressFromCIDR(`${address}/${ipv6Prefix}`);
  return `${network.toRFC5952String().replaceAll(":", "-")}/${ipv6Prefix}`;
}
