import type { Counter, Histogram, MetricsRegistry } from '../operations/metrics.js';

/** Whether an upstream call presented a client certificate (`certificate` label). */
export type CertificateLabel = 'client_certificate' | 'none';

/**
 * How an upstream call ended (`outcome` label): the status class of the remote's answer, or why there was
 * none.
 */
export type UpstreamOutcome =
  | '1xx'
  | '2xx'
  | '3xx'
  | '4xx'
  | '5xx'
  | 'transport_failure'
  | 'destination_blocked'
  | 'certificate_not_found'
  | 'payload_too_large'
  | 'caller_gone'
  | 'error';

/** Upstream latency buckets in seconds (loopback calls take well under a millisecond). */
const UPSTREAM_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The forwarding metrics, registered in the server's registry (`/metrics`):
 * - `mtls_upstream_request_duration_seconds{certificate,outcome}`: time to the remote's answer headers (or
 *   to the failure); its `_count` is the number of calls by outcome.
 * - `mtls_upstream_pools`: open upstream connection pools.
 * - `mtls_egress_refused_total{reason}`: destinations refused by the SSRF guard.
 *
 * @example
 * ```ts
 * const metrics = registerForwardingMetrics(context.metrics, () => pools.size);
 * metrics.observeUpstream('client_certificate', '2xx', 0.012);
 * ```
 */
export interface ForwardingMetrics {
  upstreamDuration: Histogram;
  egressRefused: Counter;
  observeUpstream(certificate: CertificateLabel, outcome: UpstreamOutcome, seconds: number): void;
  countRefusal(reason: string): void;
}

/** The status class label of an HTTP status. */
export function statusClass(status: number): UpstreamOutcome {
  if (status < 200) return '1xx';
  if (status < 300) return '2xx';
  if (status < 400) return '3xx';
  if (status < 500) return '4xx';
  return '5xx';
}

/** Registers the forwarding metrics; `poolCount` is read at scrape time. */
export function registerForwardingMetrics(
  registry: MetricsRegistry,
  poolCount: () => number,
): ForwardingMetrics {
  const upstreamDuration = registry.histogram({
    name: 'mtls_upstream_request_duration_seconds',
    help: 'Time to the upstream answer headers (or failure) in seconds, by client certificate presence and outcome.',
    labelNames: ['certificate', 'outcome'],
    buckets: UPSTREAM_BUCKETS,
  });
  const egressRefused = registry.counter({
    name: 'mtls_egress_refused_total',
    help: 'Forward destinations refused by the egress policy (SSRF guard), by reason.',
    labelNames: ['reason'],
  });
  registry.gauge({
    name: 'mtls_upstream_pools',
    help: 'Open upstream connection pools (one per account, certificate version and origin).',
    collect(gauge) {
      gauge.set({}, poolCount());
    },
  });
  return {
    upstreamDuration,
    egressRefused,
    observeUpstream(certificate, outcome, seconds) {
      upstreamDuration.observe({ certificate, outcome }, seconds);
    },
    countRefusal(reason) {
      egressRefused.inc({ reason });
    },
  };
}
