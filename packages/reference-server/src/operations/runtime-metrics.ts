import { collectDefaultMetrics, Registry } from 'prom-client';
import type { MetricsRegistry } from './metrics.js';

/** prom-client's process metrics, collected once per process however many apps (tests) render them. */
let processRegistry: Registry | undefined;

/**
 * Renders prom-client's default process metrics with `registry`'s, among them
 * `process_resident_memory_bytes`, `process_start_time_seconds`, `nodejs_heap_size_used_bytes`,
 * `nodejs_heap_size_total_bytes`, `nodejs_external_memory_bytes`, `nodejs_active_resources_total` (handles and
 * requests keeping the loop alive) and `nodejs_eventloop_lag_p99_seconds` / `nodejs_eventloop_lag_max_seconds`
 * since the previous scrape (each scrape resets the delay histogram). They live in one registry of the process,
 * shared by every app, so the event-loop monitor and GC observer exist once.
 *
 * @example
 * ```ts
 * registerRuntimeMetrics(context.metrics);
 * ```
 */
export function registerRuntimeMetrics(registry: MetricsRegistry): void {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  registry.share(processRegistry);
}
