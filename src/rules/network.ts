import ipaddr from "ipaddr.js";
import { parseIp } from "../core/ip.ts";

/** An address or a CIDR prefix a rule names, in canonical text. */
export type IpMatch = { kind: "address"; address: string } | { kind: "prefix"; cidr: string };

/** Longest accepted CIDR text, with room to spare. */
const MAX_CIDR_LENGTH = 110;

/**
 * Reads a rule's `ip`: an address (any spelling, as checks accept) or a CIDR prefix. A prefix
 * as long as the address (/32, /128) is the address. An IPv4-mapped IPv6 prefix of /96 or
 * longer names IPv4 addresses, since checks count mapped addresses as IPv4. Undefined when
 * `text` is neither.
 */
export function parseIpMatch(text: string): IpMatch | undefined {
  if (text.length > MAX_CIDR_LENGTH) return undefined;
  if (!text.includes("/")) {
    const address = parseIp(text);
    return address === undefined ? undefined : { kind: "address", address };
  }
  const [addressText, bitsText] = text.split("/") as [string, string];
  if (!/^\d{1,3}$/.test(bitsText) || parseIp(addressText) === undefined) return undefined;
  let range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    range = ipaddr.parseCIDR(`${addressText.split("%")[0]}/${Number(bitsText)}`);
  } catch {
    return undefined;
  }
  let [network, bits] = range;
  if (network.kind() === "ipv6" && (network as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    network = (network as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
  }
  const full = network.kind() === "ipv4" ? 32 : 128;
  const masked = ipaddr.parse(
    network.kind() === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(`${network.toString()}/${bits}`).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(`${network.toString()}/${bits}`).toString(),
  );
  const canonical =
    masked.kind() === "ipv4" ? masked.toString() : (masked as ipaddr.IPv6).toRFC5952String();
  if (bits === full) return { kind: "address", address: canonical };
  return { kind: "prefix", cidr: `${canonical}/${bits}` };
}

/** A parsed prefix, to test addresses against. */
export interface Prefix {
  range: [ipaddr.IPv4 | ipaddr.IPv6, number];
  bits: number;
}

export function toPrefix(cidr: string): Prefix {
  const range = ipaddr.parseCIDR(cidr);
  return { range, bits: range[1] };
}

/** Whether a canonical address lies in `prefix`; addresses of the other family never do. */
export function inPrefix(address: ipaddr.IPv4 | ipaddr.IPv6, prefix: Prefix): boolean {
  return address.kind() === prefix.range[0].kind() && address.match(prefix.range);
}

export const parsedAddress = (address: string) => ipaddr.parse(address);
