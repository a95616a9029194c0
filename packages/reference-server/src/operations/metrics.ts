/**
 * The server's Prometheus metrics, on prom-client: one {@link MetricsRegistry} per app (never prom-client's
 * global registry, so several apps can share a process, as tests do), with get-or-create helpers, gauges
 * computed at scrape time, and registries shared by every app of the process (its runtime metrics) rendered
 * along.
 */
import { Counter, Gauge, Histogram, type LabelValues, Registry } from 'prom-client';

export { Counter, Gauge, Histogram } from 'prom-client';

/** Label values by label name. */
export type Labels = LabelValues<string>;

/** Content type of {@link MetricsRegistry.render}'s output (the text exposition format 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** Default latency buckets in seconds. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Options common to every metric. */
export interface MetricOptions {
  /** `snake_case` name, e.g. `mtls_certificates`. */
  name: string;
  /** One line describing it. */
  help: string;
  /** Names of its labels (fixed). */
  labelNames?: readonly string[];
}

/** Options of {@link MetricsRegistry.gauge}. */
export interface GaugeOptions extends MetricOptions {
  /**
   * Called before each scrape to set current values (e.g. certificates by status from the database). Call
   * `gauge.reset()` first inside it when label sets can disappear. When it fails, the gauge has no samples in
   * that scrape and the failure goes to {@link MetricsRegistry.onCollectError}; the scrape goes on.
   */
  collect?: (gauge: Gauge) => void | Promise<void>;
}

/** Options of {@link MetricsRegistry.histogram}. */
export interface HistogramOptions extends MetricOptions {
  /** Upper bounds, ascending (default {@link DEFAULT_LATENCY_BUCKETS}). `+Inf` is implicit. */
  buckets?: readonly number[];
}

type AnyMetric = Counter | Gauge | Histogram;

/**
 * The metrics of one server instance (a prom-client `Registry`). Modules register what they measure;
 * `/metrics` renders it all. Registering a name again returns the existing metric when type and labels agree.
 *
 * @example
 * ```ts
 * const registry = new MetricsRegistry();
 * const requests = registry.counter({ name: 'mtls_http_requests_total', help: 'Requests.', labelNames: ['route', 'status'] });
 * requests.inc({ route: '/healthz', status: 200 });
 * const text = await registry.render();
 * ```
 */
export class MetricsRegistry extends Registry {
  readonly #labelNames = new Map<string, string>();
  readonly #shared = new Set<Registry>();
  /** Receives failures of gauge `collect` callbacks (the scrape goes on without that gauge's samples). */
  onCollectError: (metric: string, error: unknown) => void = () => undefined;

  /** A value that only goes up (`inc(labels, value)`). */
  counter(options: MetricOptions): Counter {
    return this.#register(options, Counter, () => new Counter({ ...this.#base(options) }));
  }

  /** A value that goes up and down, set directly or computed at scrape time by `options.collect`. */
  gauge(options: GaugeOptions): Gauge {
    const { collect } = options;
    const failed = (error: unknown) => this.onCollectError(options.name, error);
    return this.#register(
      options,
      Gauge,
      () =>
        new Gauge({
          ...this.#base(options),
          ...(collect && {
            async collect() {
              try {
                await collect(this);
              } catch (error) {
                // No samples rather than stale or zero ones (reset leaves 0 on a gauge without labels).
                this.reset();
                this.remove({});
                failed(error);
              }
            },
          }),
        }),
    );
  }

  /** Distribution of observed values (latencies) in cumulative buckets (`observe(labels, value)`). */
  histogram(options: HistogramOptions): Histogram {
    return this.#register(
      options,
      Histogram,
      () =>
        new Histogram({ ...this.#base(options), buckets: [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS)] }),
    );
  }

  /**
   * Renders `registry`'s metrics with this one's: a registry of the process (e.g. runtime metrics), shared by
   * every app of it. Its metric names must not be registered here too.
   */
  share(registry: Registry): void {
    this.#shared.add(registry);
  }

  /** The Prometheus text exposition of every metric, this registry's then the shared ones'. */
  override async metrics(): Promise<string> {
    const texts = await Promise.all([
      super.metrics(),
      ...[...this.#shared].map((shared) => shared.metrics()),
    ]);
    return texts.filter((text) => text.trim() !== '').join('');
  }

  /** The same as {@link metrics}. */
  render(): Promise<string> {
    return this.metrics();
  }

  #base(options: MetricOptions) {
    return {
      name: options.name,
      help: options.help,
      labelNames: [...(options.labelNames ?? [])],
      registers: [this],
    };
  }

  #register<T extends AnyMetric>(
    options: MetricOptions,
    kind: abstract new (...args: never[]) => T,
    create: () => T,
  ): T {
    const labels = (options.labelNames ?? []).join(',');
    const existing = this.getSingleMetric(options.name) as AnyMetric | undefined;
    if (existing) {
      if (existing instanceof kind && this.#labelNames.get(options.name) === labels) return existing;
      throw new TypeError(`Metric ${options.name} is already registered with another type or labels.`);
    }
    const metric = create();
    this.#labelNames.set(options.name, labels);
    return metric;
  }
}
