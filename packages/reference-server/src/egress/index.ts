/**
 * The egress policy (SSRF guard) of the forwarding path: which destinations the gateway may call, checked on
 * the URL up front and on every resolved address right before the socket is opened.
 *
 * @example
 * ```ts
 * import { EgressPolicy, createGuardedConnector } from './egress/index.js';
 * const policy = new EgressPolicy({ allow: config.egressAllow });
 * const connect = createGuardedConnector({ policy, connectOptions: { timeout: 10_000 } });
 * ```
 */
export type { RefusedAddress, RefusedRangeKind } from './address-ranges.js';
export {
  classifyAddress,
  embeddedIpv4Addresses,
  ipv6ToBytes,
  REFUSED_RANGE_DESCRIPTIONS,
} from './address-ranges.js';
export type {
  EgressAllowlist,
  EgressDestination,
  EgressPolicyOptions,
  EgressRefusalReason,
} from './egress-policy.js';
export { EgressPolicy, EgressRefusedError, normalizeHost, parseEgressAllowlist } from './egress-policy.js';
export type { GuardedConnectorOptions, HostResolver, ResolvedAddress } from './guarded-connector.js';
export { createGuardedConnector, systemResolver } from './guarded-connector.js';
