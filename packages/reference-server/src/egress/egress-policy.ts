import { BlockList, isIP } from 'node:net';
import { DestinationBlockedError, type GatewayErrorOptions } from '../errors.js';
import {
  classifyAddress,
  embeddedIpv4Addresses,
  REFUSED_RANGE_DESCRIPTIONS,
  type RefusedRangeKind,
  stripAddressDecorations,
} from './address-ranges.js';

/** Why a destination was refused (the `reason` label of the refusal metric). */
export type EgressRefusalReason = RefusedRangeKind | 'scheme' | 'port' | 'invalid_host';

/**
 * The egress policy refused a destination (403 `destination_blocked`). Nothing was sent and, when raised by
 * the guarded connector, no socket was opened. `address` is for logs only: the detail never names the
 * resolved address, so a caller cannot map the internal network through the gateway.
 *
 * @example
 * ```ts
 * try { policy.assertUrlAllowed(new URL('http://127.0.0.1/')); } catch (error) {
 *   if (error instanceof EgressRefusedError) error.reason; // 'loopback'
 * }
 * ```
 */
export class EgressRefusedError extends DestinationBlockedError {
  override readonly name = 'EgressRefusedError';

  constructor(
    readonly reason: EgressRefusalReason,
    readonly host: string,
    detail: string,
    /** The refused (resolved) address; never sent to the client. */
    readonly address?: string,
    options?: GatewayErrorOptions,
  ) {
    super(detail, options);
  }
}

/** One `host:port` entry of the allowlist (a name always comes with its port). */
interface AllowedHost {
  /** Lower-case host without trailing dot; a leading `*.` matches every subdomain. */
  host: string;
  port: number;
}

/** One IP or CIDR entry of the allowlist, optionally restricted to a port. */
interface AllowedNetwork {
  list: BlockList;
  port: number | undefined;
}

/** The parsed `MTLS_EGRESS_ALLOW` list. */
export interface EgressAllowlist {
  hosts: readonly AllowedHost[];
  networks: readonly AllowedNetwork[];
}

/** Lower case, without the trailing dot of an absolute name and without IPv6 brackets/zone. */
export function normalizeHost(host: string): string {
  const lower = host.trim().toLowerCase();
  if (lower.startsWith('[')) return stripAddressDecorations(lower);
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function parsePort(text: string, entry: string): number {
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new TypeError(`MTLS_EGRESS_ALLOW entry "${entry}" has an invalid port.`);
  }
  return port;
}

/**
 * Parses allowlist entries: host names with their port (`api.partner.example:443`,
 * `*.partner.example:8443`), IP addresses with or without a port (`127.0.0.1`, `::1`, `[::1]:8443`,
 * `10.0.0.5:443`) and CIDRs (`10.1.0.0/16`, `fd00::/8`). An IP or CIDR without a port allows every port; a
 * host name without a port is refused: it would open every port of whatever the name resolves to.
 *
 * @throws {TypeError} naming the malformed entry.
 * @example
 * ```ts
 * const allowlist = parseEgressAllowlist(['localhost:8443', '127.0.0.0/8']);
 * ```
 */
export function parseEgressAllowlist(entries: readonly string[]): EgressAllowlist {
  const hosts: AllowedHost[] = [];
  const networks: AllowedNetwork[] = [];
  const addNetwork = (
    address: string,
    prefix: number | undefined,
    port: number | undefined,
    entry: string,
  ) => {
    const family = isIP(address);
    if (family === 0)
      throw new TypeError(`MTLS_EGRESS_ALLOW entry "${entry}" is not a valid address or CIDR.`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const max = family === 4 ? 32 : 128;
    const list = new BlockList();
    if (prefix === undefined) list.addAddress(address, type);
    else if (Number.isInteger(prefix) && prefix >= 0 && prefix <= max) list.addSubnet(address, prefix, type);
    else throw new TypeError(`MTLS_EGRESS_ALLOW entry "${entry}" has an invalid prefix length.`);
    networks.push({ list, port });
  };

  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const cidr = /^\[?([0-9a-fA-F:.]+)\]?\/([0-9]{1,3})$/.exec(entry);
    if (cidr) {
      addNetwork(cidr[1] ?? '', Number(cidr[2]), undefined, entry);
      continue;
    }
    const bracketed = /^\[([0-9a-fA-F:.]+)\](?::([0-9]+))?$/.exec(entry);
    if (bracketed) {
      addNetwork(
        bracketed[1] ?? '',
        undefined,
        bracketed[2] === undefined ? undefined : parsePort(bracketed[2], entry),
        entry,
      );
      continue;
    }
    if (isIP(entry) !== 0) {
      addNetwork(entry, undefined, undefined, entry);
      continue;
    }
    const hostPort = /^([^:\s/]+)(?::([0-9]+))?$/.exec(entry);
    if (!hostPort)
      throw new TypeError(`MTLS_EGRESS_ALLOW entry "${entry}" must be host:port, an IP address or a CIDR.`);
    const host = normalizeHost(hostPort[1] ?? '');
    const port = hostPort[2] === undefined ? undefined : parsePort(hostPort[2], entry);
    if (isIP(host) !== 0) addNetwork(host, undefined, port, entry);
    else if (port === undefined) {
      throw new TypeError(
        `MTLS_EGRESS_ALLOW entry "${entry}" names a host without a port; write it as ${entry}:443 (host:port). ` +
          'Only IP addresses and CIDRs may allow every port.',
      );
    } else hosts.push({ host, port });
  }
  return { hosts, networks };
}

/** A destination as the connector sees it: the host named in the URL, its port, the address connected to. */
export interface EgressDestination {
  /** Host of the target URL (name or IP literal, brackets allowed). */
  host: string;
  port: number;
  /** The resolved address about to be connected to. */
  address: string;
}

/** Options of {@link EgressPolicy}. */
export interface EgressPolicyOptions {
  /** `MTLS_EGRESS_ALLOW` entries: destinations exempt from the address checks (see {@link parseEgressAllowlist}). */
  allow?: readonly string[];
  /** Called for every refusal (metrics, logs). */
  onRefused?: (error: EgressRefusedError) => void;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** Most allowed IP-literal destinations an {@link EgressPolicy} remembers. */
const MAX_REMEMBERED_LITERALS = 1024;

/**
 * The SSRF guard: which destinations the gateway may call. Only `http`/`https`; by default every
 * special-purpose address (loopback, private, link-local incl. cloud metadata, CGNAT, multicast,
 * unspecified, broadcast, reserved, documentation, benchmarking, IPv6 ULA/site-local, and IPv6 forms
 * embedding a refused IPv4) is refused — unless the allowlist names the `host:port`, or an IP/CIDR
 * containing the address. An allowed `host:port` never exempts a link-local or cloud metadata address
 * ({@link isMetadataAddress}): a name can be pointed anywhere, so only an IP/CIDR entry naming that address
 * allows it.
 *
 * URLs are checked up front ({@link assertUrlAllowed}: scheme, port, IP literals in every notation the WHATWG
 * parser normalizes); names are checked where it matters, on every address they resolve to, right before
 * the connection is made ({@link assertAddressAllowed}, called by the guarded connector).
 *
 * @example
 * ```ts
 * const policy = new EgressPolicy({ allow: config.egressAllow });
 * policy.assertUrlAllowed(new URL('https://api.example.com/hooks')); // passes
 * policy.assertUrlAllowed(new URL('http://0x7f.1/')); // throws EgressRefusedError (loopback)
 * ```
 */
export class EgressPolicy {
  readonly allowlist: EgressAllowlist;
  readonly #onRefused: ((error: EgressRefusedError) => void) | undefined;
  readonly #allowedLiterals = new Set<string>();

  constructor(options: EgressPolicyOptions = {}) {
    this.allowlist = parseEgressAllowlist(options.allow ?? []);
    this.#onRefused = options.onRefused;
  }

  #refuse(reason: EgressRefusalReason, host: string, detail: string, address?: string): never {
    const error = new EgressRefusedError(reason, host, detail, address);
    this.#onRefused?.(error);
    throw error;
  }

  /** Whether the allowlist exempts this host on this port (a `host:port` entry). */
  isHostAllowlisted(host: string, port: number): boolean {
    const name = normalizeHost(host);
    return this.allowlist.hosts.some((entry) => {
      if (entry.port !== port) return false;
      if (entry.host.startsWith('*.')) return name.endsWith(entry.host.slice(1));
      return entry.host === name;
    });
  }

  /** Whether the allowlist exempts this address (IP or CIDR entry, with or without port). */
  isAddressAllowlisted(address: string, port: number): boolean {
    const bare = stripAddressDecorations(address);
    const family = isIP(bare);
    if (family === 0) return false;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    return this.allowlist.networks.some(
      (entry) => (entry.port === undefined || entry.port === port) && entry.list.check(bare, type),
    );
  }

  /**
   * Checks what can be checked before any name resolution: scheme, credentials, port and — when the host is
   * an IP literal — the address itself.
   *
   * @throws {EgressRefusedError}
   */
  assertUrlAllowed(url: URL): void {
    const host = url.hostname;
    if (!(url.protocol in DEFAULT_PORTS)) {
      this.#refuse(
        'scheme',
        host,
        `Only http and https destinations are allowed, not ${url.protocol.replace(':', '')}.`,
      );
    }
    const port = url.port === '' ? (DEFAULT_PORTS[url.protocol] ?? 0) : Number(url.port);
    if (!(port >= 1 && port <= 65535)) {
      this.#refuse('port', host, `Port ${url.port} of ${displayHost(host)} cannot be called.`);
    }
    if (host === '') this.#refuse('invalid_host', host, 'The destination URL has no host.');
    const bare = stripAddressDecorations(host);
    if (isIP(bare) === 0) return;
    // The policy never changes, so an allowed literal stays allowed: remembered (bounded), refusals are not.
    const key = `${host} ${port}`;
    if (this.#allowedLiterals.has(key)) return;
    this.assertAddressAllowed({ host, port, address: bare });
    if (this.#allowedLiterals.size >= MAX_REMEMBERED_LITERALS) this.#allowedLiterals.clear();
    this.#allowedLiterals.add(key);
  }

  /**
   * Checks one address a destination resolved to. Call it for EVERY address of a name, on the addresses
   * actually connected to.
   *
   * @throws {EgressRefusedError}
   */
  assertAddressAllowed(destination: EgressDestination): void {
    const { host, port, address } = destination;
    if (this.isAddressAllowlisted(address, port)) return;
    const refused = classifyAddress(address);
    if (!refused) return;
    // A name entry exempts the name, not what it resolves to: never a metadata service.
    if (this.isHostAllowlisted(host, port) && !isMetadataAddress(address)) return;
    const isLiteral = isIP(stripAddressDecorations(host)) !== 0;
    const what = REFUSED_RANGE_DESCRIPTIONS[refused.kind];
    const detail = isLiteral
      ? `${displayHost(host)} is ${what}, which the egress policy refuses. Nothing was sent.`
      : `${displayHost(host)} resolves to ${what}, which the egress policy refuses. Nothing was sent.`;
    this.#refuse(refused.kind, host, `${detail} An operator can allow it with MTLS_EGRESS_ALLOW.`, address);
  }
}

// Cloud metadata services outside link-local: AWS IMDS over IPv6, Alibaba Cloud.
const METADATA_ADDRESSES = new BlockList();
METADATA_ADDRESSES.addAddress('fd00:ec2::254', 'ipv6');
METADATA_ADDRESSES.addAddress('100.100.100.200', 'ipv4');

/**
 * Whether `address` is link-local (169.254.0.0/16, fe80::/10, and the IPv6 forms embedding a link-local
 * IPv4 such as `::ffff:169.254.169.254`) or a known cloud metadata address (`fd00:ec2::254`,
 * `100.100.100.200`). A `host:port` allowlist entry never exempts these.
 *
 * @example
 * ```ts
 * isMetadataAddress('::ffff:169.254.169.254'); // true
 * isMetadataAddress('10.0.0.1'); // false
 * ```
 */
export function isMetadataAddress(address: string): boolean {
  const bare = stripAddressDecorations(address);
  const family = isIP(bare);
  if (family === 0) return false;
  if (classifyAddress(bare)?.kind === 'link_local') return true;
  const candidates = family === 6 ? [bare, ...embeddedIpv4Addresses(bare)] : [bare];
  return candidates.some((candidate) =>
    METADATA_ADDRESSES.check(candidate, isIP(candidate) === 4 ? 'ipv4' : 'ipv6'),
  );
}

/** A host for messages: printable, bounded. */
function displayHost(host: string): string {
  const printable = host.replace(/[^\x21-\x7E]/g, '?');
  return printable.length > 253 ? `${printable.slice(0, 253)}…` : printable;
}
