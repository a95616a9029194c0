import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from './metrics.js';
import { registerRuntimeMetrics } from './runtime-metrics.js';

/** Parses the text exposition format strictly enough to catch a malformed or duplicated family. */
function parseExposition(text: string): { types: Map<string, string>; samples: Map<string, number> } {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      expect(types.has(type[1] as string), `${type[1]} is declared twice`).toBe(false);
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (line.startsWith('# HELP ')) continue;
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})?) (\S+)$/.exec(line);
    expect(sample, `not a sample line: ${line}`).not.toBeNull();
    const value = sample?.[2] as string;
    samples.set(sample?.[1] as string, value === '+Inf' ? Number.POSITIVE_INFINITY : Number(value));
  }
  return { types, samples };
}

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms in the Prometheus text format', async () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter({
      name: 'x_requests_total',
      help: 'Requests.',
      labelNames: ['route', 'status'],
    });
    requests.inc({ route: '/a', status: 200 });
    requests.inc({ route: '/a', status: 200 }, 2);
    requests.inc({ route: 'we"ird\\\n', status: 500 });
    const latency = registry.histogram({ name: 'x_seconds', help: 'Latency.', buckets: [0.1, 1] });
    latency.observe({}, 0.05);
    latency.observe({}, 0.5);
    latency.observe({}, 3);
    registry.gauge({
      name: 'x_certificates',
      help: 'Certificates by status.',
      labelNames: ['status'],
      collect(gauge) {
        gauge.reset();
        gauge.set({ status: 'Available' }, 4);
      },
    });

    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await registry.render();
    const { types, samples } = parseExposition(text);
    expect(Object.fromEntries(types)).toEqual({
      x_requests_total: 'counter',
      x_seconds: 'histogram',
      x_certificates: 'gauge',
    });
    expect(samples.get('x_requests_total{route="/a",status="200"}')).toBe(3);
    expect(samples.get('x_requests_total{route="we\\"ird\\\\\\n",status="500"}')).toBe(1);
    expect(samples.get('x_seconds_bucket{le="0.1"}')).toBe(1);
    expect(samples.get('x_seconds_bucket{le="1"}')).toBe(2);
    expect(samples.get('x_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(samples.get('x_seconds_sum')).toBeCloseTo(3.55);
    expect(samples.get('x_seconds_count')).toBe(3);
    expect(samples.get('x_certificates{status="Available"}')).toBe(4);
    expect(text).toContain('# HELP x_requests_total Requests.\n');
  });

  it('returns the existing metric for the same name and labels, refuses a conflicting one', () => {
    const registry = new MetricsRegistry();
    const first = registry.counter({ name: 'a_total', help: 'A.', labelNames: ['x'] });
    expect(registry.counter({ name: 'a_total', help: 'A.', labelNames: ['x'] })).toBe(first);
    expect(() => registry.gauge({ name: 'a_total', help: 'A.' })).toThrow(/already registered/);
    expect(() => registry.counter({ name: 'a_total', help: 'A.', labelNames: ['y'] })).toThrow(
      /already registered/,
    );
    expect(() => registry.counter({ name: 'bad-name', help: 'Bad.' })).toThrow(/Invalid metric name/);
    expect(() => first.inc({ y: '1' })).toThrow(/not included in initial labelset/);
    expect(() => first.inc({ x: '1' }, -1)).toThrow(/not possible to decrease/);
  });

  it('gives a gauge whose collect fails no samples, reports it, and renders the rest', async () => {
    const registry = new MetricsRegistry();
    const failures: string[] = [];
    registry.onCollectError = (name) => failures.push(name);
    registry.gauge({
      name: 'broken',
      help: 'Broken.',
      collect() {
        throw new Error('database down');
      },
    });
    registry.gauge({
      name: 'broken_by_status',
      help: 'Broken.',
      labelNames: ['status'],
      async collect(gauge) {
        gauge.set({ status: 'Available' }, 1);
        throw new Error('database down');
      },
    });
    registry.counter({ name: 'ok_total', help: 'Ok.' }).inc();
    const { samples } = parseExposition(await registry.render());
    expect([...samples.keys()].filter((name) => name.startsWith('broken'))).toEqual([]);
    expect(samples.get('ok_total')).toBe(1);
    expect(failures).toEqual(['broken', 'broken_by_status']);
  });

  it('keeps each app in its own registry, never in the global one', async () => {
    const one = new MetricsRegistry();
    const two = new MetricsRegistry();
    one.counter({ name: 'mtls_test_requests_total', help: 'Requests.' }).inc(5);
    two.counter({ name: 'mtls_test_requests_total', help: 'Requests.' }).inc(1);
    expect(parseExposition(await one.render()).samples.get('mtls_test_requests_total')).toBe(5);
    expect(parseExposition(await two.render()).samples.get('mtls_test_requests_total')).toBe(1);
    expect(globalRegistry.getSingleMetric('mtls_test_requests_total')).toBeUndefined();
  });

  it('renders the process metrics the README names, once per registry, shared by every app', async () => {
    const apps = [new MetricsRegistry(), new MetricsRegistry()];
    for (const registry of apps) {
      registry.counter({ name: 'mtls_http_requests_total', help: 'Requests.' }).inc();
      registerRuntimeMetrics(registry);
      registerRuntimeMetrics(registry);
    }
    for (const registry of apps) {
      const { types, samples } = parseExposition(await registry.render());
      for (const name of [
        'process_resident_memory_bytes',
        'process_start_time_seconds',
        'nodejs_heap_size_used_bytes',
        'nodejs_heap_size_total_bytes',
        'nodejs_external_memory_bytes',
        'nodejs_active_resources_total',
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_eventloop_lag_max_seconds',
      ]) {
        expect(types.get(name), name).toBe('gauge');
        expect(samples.get(name), name).toBeGreaterThanOrEqual(0);
      }
      expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(1024 * 1024);
      expect(samples.get('mtls_http_requests_total')).toBe(1);
    }
  });
});
