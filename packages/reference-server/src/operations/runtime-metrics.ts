import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { MetricsRegistry } from './metrics.js';

/** One event-loop delay monitor per process, however many apps (tests) register the gauges. */
let eventLoopDelay: IntervalHistogram | undefined;

/**
 * Registers the process gauges, collected at scrape time with prom-client's names:
 * `process_resident_memory_bytes`, `nodejs_heap_size_used_bytes`, `nodejs_heap_size_total_bytes`,
 * `nodejs_external_memory_bytes`, `nodejs_active_resources_total` (handles and requests keeping the loop
 * alive) and `nodejs_eventloop_lag_p99_seconds` / `nodejs_eventloop_lag_max_seconds` since the previous
 * scrape (the delay histogram is reset by each scrape, as prom-client does).
 */
export function registerRuntimeMetrics(registry: MetricsRegistry): void {
  if (!eventLoopDelay) {
    eventLoopDelay = monitorEventLoopDelay({ resolution: 10 });
    eventLoopDelay.enable();
  }
  const delay = eventLoopDelay;
  const memory = (name: string, help: string, read: (usage: NodeJS.MemoryUsage) => number) =>
    registry.gauge({
      name,
      help,
      collect(gauge) {
        gauge.set({}, read(process.memoryUsage()));
      },
    });
  memory('process_resident_memory_bytes', 'Resident memory size in bytes.', (usage) => usage.rss);
  memory('nodejs_heap_size_used_bytes', 'V8 heap used in bytes.', (usage) => usage.heapUsed);
  memory('nodejs_heap_size_total_bytes', 'V8 heap size in bytes.', (usage) => usage.heapTotal);
  memory(
    'nodejs_external_memory_bytes',
    'Memory of C++ objects bound to JavaScript (buffers).',
    (usage) => usage.external,
  );
  registry.gauge({
    name: 'nodejs_active_resources_total',
    help: 'Handles and requests keeping the event loop alive (sockets, timers, files…).',
    collect(gauge) {
      gauge.set({}, process.getActiveResourcesInfo().length);
    },
  });
  registry.gauge({
    name: 'nodejs_eventloop_lag_p99_seconds',
    help: 'The 99th percentile of the event-loop delay since the previous scrape, in seconds.',
    collect(gauge) {
      gauge.set({}, delay.count > 0 ? delay.percentile(99) / 1e9 : 0);
    },
  });
  registry.gauge({
    name: 'nodejs_eventloop_lag_max_seconds',
    help: 'The longest event-loop delay since the previous scrape, in seconds.',
    collect(gauge) {
      gauge.set({}, delay.count > 0 ? delay.max / 1e9 : 0);
      delay.reset();
    },
  });
}
