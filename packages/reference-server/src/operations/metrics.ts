/**
 * A small Prometheus registry (text exposition format 0.0.4), written by hand to avoid a dependency:
 * counters, gauges (optionally computed at scrape time) and histograms with fixed label names.
 */

/** Label values by label name. */
export type Labels = Readonly<Record<string, string | number>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Content type of {@link MetricsRegistry.render}'s output. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Default latency buckets in seconds. */
export const DEFAULT_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Options common to every metric. */
export interface MetricOptions {
  /** `snake_case` name, e.g. `mtls_certificates`. */
  name: string;
  /** One line describing it. */
  help: string;
  /** Names of its labels (fixed; every observation gives a value for each). */
  labelNames?: readonly string[];
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

abstract class Metric {
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];

  constructor(options: MetricOptions) {
    if (!METRIC_NAME.test(options.name)) throw new TypeError(`Invalid metric name "${options.name}".`);
    for (const label of options.labelNames ?? []) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') {
        throw new TypeError(`Invalid label name "${label}" of metric ${options.name}.`);
      }
    }
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...(options.labelNames ?? [])];
  }

  /** Stable key of a label set, checked against the declared names. */
  protected keyOf(labels: Labels): string {
    const given = Object.keys(labels);
    if (given.length !== this.labelNames.length || !this.labelNames.every((name) => name in labels)) {
      throw new TypeError(`Metric ${this.name} takes the labels ${this.labelNames.join(', ') || '(none)'}.`);
    }
    return JSON.stringify(this.labelNames.map((name) => String(labels[name])));
  }

  protected formatLabels(key: string, extra?: [string, string]): string {
    const values = JSON.parse(key) as string[];
    const pairs = this.labelNames.map((name, index) => `${name}="${escapeLabelValue(values[index] ?? '')}"`);
    if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
    return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
  }

  header(): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
  }

  abstract samples(): string;
}

/**
 * A value that only goes up.
 *
 * @example
 * ```ts
 * const refused = registry.counter({ name: 'mtls_egress_refused_total', help: 'SSRF refusals.', labelNames: ['reason'] });
 * refused.inc({ reason: 'private_address' });
 * ```
 */
export class Counter extends Metric {
  readonly type = 'counter';
  readonly #values = new Map<string, number>();

  /** Adds `value` (default 1, must not be negative). */
  inc(labels: Labels = {}, value = 1): void {
    if (!(value >= 0)) throw new RangeError(`Counter ${this.name} cannot decrease.`);
    const key = this.keyOf(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + value);
  }

  /** The current value for a label set (tests). */
  get(labels: Labels = {}): number {
    return this.#values.get(this.keyOf(labels)) ?? 0;
  }

  samples(): string {
    let text = '';
    for (const [key, value] of this.#values)
      text += `${this.name}${this.formatLabels(key)} ${formatValue(value)}\n`;
    return text;
  }
}

/** Options of a {@link Gauge}. */
export interface GaugeOptions extends MetricOptions {
  /**
   * Called before each scrape to set current values (e.g. certificates by status from the database). Call
   * `gauge.reset()` first inside it when label sets can disappear.
   */
  collect?: (gauge: Gauge) => void | Promise<void>;
}

/**
 * A value that goes up and down, set directly or computed at scrape time.
 *
 * @example
 * ```ts
 * registry.gauge({
 *   name: 'mtls_certificates', help: 'Certificates by status.', labelNames: ['status'],
 *   async collect(gauge) {
 *     gauge.reset();
 *     for (const row of await countByStatus()) gauge.set({ status: row.status }, row.count);
 *   },
 * });
 * ```
 */
export class Gauge extends Metric {
  readonly type = 'gauge';
  readonly #values = new Map<string, number>();
  readonly collect: ((gauge: Gauge) => void | Promise<void>) | undefined;

  constructor(options: GaugeOptions) {
    super(options);
    this.collect = options.collect;
  }

  set(labels: Labels, value: number): void {
    this.#values.set(this.keyOf(labels), value);
  }

  inc(labels: Labels = {}, value = 1): void {
    const key = this.keyOf(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + value);
  }

  dec(labels: Labels = {}, value = 1): void {
    this.inc(labels, -value);
  }

  /** Removes every label set. */
  reset(): void {
    this.#values.clear();
  }

  /** The current value for a label set (tests). */
  get(labels: Labels = {}): number | undefined {
    return this.#values.get(this.keyOf(labels));
  }

  samples(): string {
    let text = '';
    for (const [key, value] of this.#values)
      text += `${this.name}${this.formatLabels(key)} ${formatValue(value)}\n`;
    return text;
  }
}

/** Options of a {@link Histogram}. */
export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, ascending (default {@link DEFAULT_LATENCY_BUCKETS}). `+Inf` is implicit. */
  buckets?: readonly number[];
}

interface HistogramSeries {
  counts: number[];
  sum: number;
  count: number;
}

/**
 * Distribution of observed values (latencies) in cumulative buckets.
 *
 * @example
 * ```ts
 * const latency = registry.histogram({ name: 'mtls_upstream_duration_seconds', help: 'Upstream latency.', labelNames: ['outcome'] });
 * latency.observe({ outcome: 'ok' }, 0.042);
 * ```
 */
export class Histogram extends Metric {
  readonly type = 'histogram';
  readonly buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(options: HistogramOptions) {
    super(options);
    const buckets = [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS)];
    if (buckets.some((bound, index) => index > 0 && bound <= (buckets[index - 1] as number))) {
      throw new TypeError(`Buckets of ${options.name} must be strictly ascending.`);
    }
    this.buckets = buckets;
  }

  observe(labels: Labels, value: number): void {
    const key = this.keyOf(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) series.counts[index] = (series.counts[index] ?? 0) + 1;
    series.sum += value;
    series.count += 1;
  }

  samples(): string {
    let text = '';
    for (const [key, series] of this.#series) {
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += series.counts[index] ?? 0;
        text += `${this.name}_bucket${this.formatLabels(key, ['le', formatValue(bound)])} ${cumulative}\n`;
      });
      text += `${this.name}_bucket${this.formatLabels(key, ['le', '+Inf'])} ${series.count}\n`;
      text += `${this.name}_sum${this.formatLabels(key)} ${formatValue(series.sum)}\n`;
      text += `${this.name}_count${this.formatLabels(key)} ${series.count}\n`;
    }
    return text;
  }
}

/**
 * The metrics of one server instance. Modules register what they measure; `/metrics` renders it all.
 * Registering a name again returns the existing metric when type and labels agree.
 *
 * @example
 * ```ts
 * const requests = registry.counter({ name: 'mtls_http_requests_total', help: 'Requests.', labelNames: ['route', 'status'] });
 * requests.inc({ route: '/healthz', status: 200 });
 * const text = await registry.render();
 * ```
 */
export class MetricsRegistry {
  readonly #metrics = new Map<string, Counter | Gauge | Histogram>();
  /** Receives failures of gauge `collect` callbacks (the scrape goes on without that gauge). */
  onCollectError: (metric: string, error: unknown) => void = () => undefined;

  counter(options: MetricOptions): Counter {
    return this.#register(options, Counter, () => new Counter(options));
  }

  gauge(options: GaugeOptions): Gauge {
    return this.#register(options, Gauge, () => new Gauge(options));
  }

  histogram(options: HistogramOptions): Histogram {
    return this.#register(options, Histogram, () => new Histogram(options));
  }

  /** The metric with this name, if registered. */
  get(name: string): Counter | Gauge | Histogram | undefined {
    return this.#metrics.get(name);
  }

  #register<T extends Counter | Gauge | Histogram>(
    options: MetricOptions,
    kind: abstract new (...args: never[]) => T,
    create: () => T,
  ): T {
    const existing = this.#metrics.get(options.name);
    if (existing) {
      const sameLabels = existing.labelNames.join(',') === (options.labelNames ?? []).join(',');
      if (existing instanceof kind && sameLabels) return existing;
      throw new TypeError(`Metric ${options.name} is already registered with another type or labels.`);
    }
    const metric = create();
    this.#metrics.set(options.name, metric);
    return metric;
  }

  /** The Prometheus text exposition of every metric (gauges collected first). */
  async render(): Promise<string> {
    let text = '';
    for (const metric of this.#metrics.values()) {
      if (metric instanceof Gauge && metric.collect) {
        try {
          await metric.collect(metric);
        } catch (error) {
          this.onCollectError(metric.name, error);
          continue;
        }
      }
      text += metric.header() + metric.samples();
    }
    return text;
  }
}
