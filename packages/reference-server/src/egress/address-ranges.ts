import { BlockList, isIP } from 'node:net';

/**
 * Why the egress policy refuses an address. Each value is a family of special-purpose ranges (IANA IPv4 and
 * IPv6 Special-Purpose Address Registries) that must never be reached from the gateway by default.
 */
export type RefusedRangeKind =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link_local'
  | 'multicast'
  | 'broadcast'
  | 'reserved'
  | 'documentation'
  | 'benchmarking'
  | 'unique_local'
  | 'site_local'
  | 'protocol_assignment';

/** What {@link classifyAddress} found out about a refused address. */
export interface RefusedAddress {
  kind: RefusedRangeKind;
  /** The IPv4 address the IPv6 address embeds (IPv4-mapped, NAT64, 6to4, Teredo), when that was refused. */
  embeddedIpv4?: string;
}

/** Plain-words names of each {@link RefusedRangeKind}, for error details. */
export const REFUSED_RANGE_DESCRIPTIONS: Readonly<Record<RefusedRangeKind, string>> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private (RFC 1918) address',
  shared: 'a shared carrier-grade NAT address',
  link_local: 'a link-local address (cloud metadata services live there)',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  unique_local: 'a unique local IPv6 address',
  site_local: 'a site-local IPv6 address',
  protocol_assignment: 'an IETF protocol assignment address',
};

type RangeTable = ReadonlyArray<readonly [RefusedRangeKind, string, number]>;

// Order matters only for the reported kind: kinds are tried in order of first appearance.
const REFUSED_IPV4: RangeTable = [
  ['broadcast', '255.255.255.255', 32], // before `reserved` (240/4), which contains it
  ['unspecified', '0.0.0.0', 8], // "this network"
  ['private', '10.0.0.0', 8],
  ['shared', '100.64.0.0', 10],
  ['loopback', '127.0.0.0', 8],
  ['link_local', '169.254.0.0', 16],
  ['private', '172.16.0.0', 12],
  ['protocol_assignment', '192.0.0.0', 24],
  ['documentation', '192.0.2.0', 24],
  ['reserved', '192.88.99.0', 24], // former 6to4 relay anycast
  ['private', '192.168.0.0', 16],
  ['benchmarking', '198.18.0.0', 15],
  ['documentation', '198.51.100.0', 24],
  ['documentation', '203.0.113.0', 24],
  ['multicast', '224.0.0.0', 4],
  ['reserved', '240.0.0.0', 4],
];

// Ranges that embed an IPv4 address (::ffff:0:0/96, 64:ff9b::/96, 2002::/16, 2001::/32) are not listed:
// their embedded address is checked instead, so a public IPv4 reached through NAT64 stays reachable.
const REFUSED_IPV6: RangeTable = [
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['reserved', '::', 96], // deprecated IPv4-compatible addresses (::a.b.c.d)
  ['reserved', '::ffff:0:0:0', 96], // SIIT translated addresses
  ['private', '64:ff9b:1::', 48], // local-use NAT64 prefix
  ['reserved', '100::', 64], // discard-only
  ['benchmarking', '2001:2::', 48],
  ['reserved', '2001:10::', 28], // deprecated ORCHID
  ['protocol_assignment', '2001:20::', 28], // ORCHIDv2
  ['documentation', '2001:db8::', 32],
  ['documentation', '3fff::', 20],
  ['reserved', '5f00::', 16], // SRv6 SIDs
  ['unique_local', 'fc00::', 7],
  ['link_local', 'fe80::', 10],
  ['site_local', 'fec0::', 10],
  ['multicast', 'ff00::', 8],
];

function buildLists(table: RangeTable, family: 'ipv4' | 'ipv6'): Array<[RefusedRangeKind, BlockList]> {
  const lists = new Map<RefusedRangeKind, BlockList>();
  for (const [kind, network, prefix] of table) {
    let list = lists.get(kind);
    if (!list) {
      list = new BlockList();
      lists.set(kind, list);
    }
    list.addSubnet(network, prefix, family);
  }
  // Keep the table's order of first appearance so the reported kind is the most specific one.
  return [...lists.entries()];
}

const IPV4_LISTS = buildLists(REFUSED_IPV4, 'ipv4');
const IPV6_LISTS = buildLists(REFUSED_IPV6, 'ipv6');

/** Removes brackets and an IPv6 zone id (`[fe80::1%eth0]` → `fe80::1`). */
export function stripAddressDecorations(address: string): string {
  let bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const zone = bare.indexOf('%');
  if (zone >= 0) bare = bare.slice(0, zone);
  return bare;
}

/**
 * The 16 bytes of an IPv6 address (zone id and brackets allowed), or `undefined` when it is not one.
 *
 * @example
 * ```ts
 * ipv6ToBytes('::ffff:127.0.0.1'); // Uint8Array [0, …, 0xff, 0xff, 127, 0, 0, 1]
 * ```
 */
export function ipv6ToBytes(address: string): Uint8Array | undefined {
  const bare = stripAddressDecorations(address);
  if (isIP(bare) !== 6) return undefined;
  let text = bare;
  const words: number[] = [];
  // A trailing dotted quad stands for the last two words.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let tailWords: number[] = [];
  if (tail.includes('.')) {
    const octets = tail.split('.').map(Number);
    tailWords = [((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)];
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::');
  const headWords = head === '' ? [] : head.split(':').map((word) => Number.parseInt(word, 16));
  const restWords =
    rest === undefined || rest === '' ? [] : rest.split(':').map((word) => Number.parseInt(word, 16));
  const zeros = rest === undefined ? 0 : 8 - headWords.length - restWords.length;
  words.push(...headWords, ...new Array<number>(zeros).fill(0), ...restWords);
  if (tailWords.length === 2) words.splice(6, 2, ...tailWords);
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = (word >> 8) & 0xff;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
}

function ipv4FromBytes(bytes: Uint8Array, offset: number, invert = false): string {
  const octets = Array.from(bytes.subarray(offset, offset + 4), (byte) => (invert ? ~byte & 0xff : byte));
  return octets.join('.');
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((value, index) => bytes[index] === value);
}

/**
 * The IPv4 addresses an IPv6 address carries and that a packet sent to it could end up at: IPv4-mapped
 * (`::ffff:a.b.c.d`), NAT64 well-known prefix (`64:ff9b::a.b.c.d`), 6to4 (`2002:AABB:CCDD::`) and Teredo
 * (`2001:0:SSSS:SSSS:…:~CCCC:~CCCC`, server and client addresses).
 *
 * @example
 * ```ts
 * embeddedIpv4Addresses('64:ff9b::7f00:1'); // ['127.0.0.1']
 * ```
 */
export function embeddedIpv4Addresses(address: string): string[] {
  const bytes = ipv6ToBytes(address);
  if (!bytes) return [];
  if (startsWith(bytes, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff])) return [ipv4FromBytes(bytes, 12)];
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return [ipv4FromBytes(bytes, 12)];
  if (startsWith(bytes, [0x20, 0x02])) return [ipv4FromBytes(bytes, 2)];
  if (startsWith(bytes, [0x20, 0x01, 0x00, 0x00]))
    return [ipv4FromBytes(bytes, 4), ipv4FromBytes(bytes, 12, true)];
  return [];
}

function classifyIpv4(address: string): RefusedRangeKind | undefined {
  for (const [kind, list] of IPV4_LISTS) if (list.check(address, 'ipv4')) return kind;
  return undefined;
}

/**
 * Whether the egress policy refuses `address` by default, and why. Accepts IPv4 in dotted-quad form and IPv6
 * in any form (brackets and zone ids allowed). An IPv6 address embedding a refused IPv4 address is refused
 * with the IPv4 range's kind. Anything that is not an IP address is refused as `reserved`: only resolved
 * addresses should get here.
 *
 * @example
 * ```ts
 * classifyAddress('169.254.169.254'); // { kind: 'link_local' }
 * classifyAddress('::ffff:10.0.0.1'); // { kind: 'private', embeddedIpv4: '10.0.0.1' }
 * classifyAddress('93.184.215.14'); // undefined: allowed
 * ```
 */
export function classifyAddress(address: string): RefusedAddress | undefined {
  const bare = stripAddressDecorations(address);
  const family = isIP(bare);
  if (family === 4) {
    const kind = classifyIpv4(bare);
    return kind ? { kind } : undefined;
  }
  if (family !== 6) return { kind: 'reserved' };
  for (const embedded of embeddedIpv4Addresses(bare)) {
    const kind = classifyIpv4(embedded);
    if (kind) return { kind, embeddedIpv4: embedded };
  }
  for (const [kind, list] of IPV6_LISTS) if (list.check(bare, 'ipv6')) return { kind };
  return undefined;
}
