import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.js';

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

    expect(await registry.render()).toBe(
      [
        '# HELP x_requests_total Requests.',
        '# TYPE x_requests_total counter',
        'x_requests_total{route="/a",status="200"} 3',
        'x_requests_total{route="we\\"ird\\\\\\n",status="500"} 1',
        '# HELP x_seconds Latency.',
        '# TYPE x_seconds histogram',
        'x_seconds_bucket{le="0.1"} 1',
        'x_seconds_bucket{le="1"} 2',
        'x_seconds_bucket{le="+Inf"} 3',
        'x_seconds_sum 3.55',
        'x_seconds_count 3',
        '# HELP x_certificates Certificates by status.',
        '# TYPE x_certificates gauge',
        'x_certificates{status="Available"} 4',
        '',
      ].join('\n'),
    );
  });

  it('returns the existing metric for the same name and labels, refuses a conflicting one', () => {
    const registry = new MetricsRegistry();
    const first = registry.counter({ name: 'a_total', help: 'A.', labelNames: ['x'] });
    expect(registry.counter({ name: 'a_total', help: 'A.', labelNames: ['x'] })).toBe(first);
    expect(() => registry.gauge({ name: 'a_total', help: 'A.' })).toThrow(/already registered/);
    expect(() => registry.counter({ name: 'bad-name', help: '' })).toThrow(/Invalid metric name/);
    expect(() => first.inc({ y: '1' })).toThrow(/takes the labels x/);
    expect(() => first.inc({ x: '1' }, -1)).toThrow(/cannot decrease/);
  });

  it('skips a gauge whose collect fails and reports it', async () => {
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
    registry.counter({ name: 'ok_total', help: 'Ok.' }).inc();
    const text = await registry.render();
    expect(text).not.toContain('broken');
    expect(text).toContain('ok_total 1');
    expect(failures).toEqual(['broken']);
  });
});
