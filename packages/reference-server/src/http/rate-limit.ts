// Hand-written, not @fastify/rate-limit: that counts fixed windows (max per timeWindow, reset at once), not a token bucket refilling continuously (a 1-second burst, then one request per 1/RPS s).
/**
 * Per-key token bucket rate limiting, in process. Each replica counts on its own, so N replicas behind a
 * load balancer let through up to N × the limit per address.
 */

/** Answer of {@link TokenBucketRateLimiter.take}. */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Options of {@link TokenBucketRateLimiter}. */
export interface TokenBucketRateLimiterOptions {
  /** Tokens added per second, and the bucket size (so a burst of one second's worth is allowed). */
  requestsPerSecond: number;
  /** Most keys tracked at once; when exceeded, full (idle) buckets are dropped first. Default 100 000. */
  maxKeys?: number;
  /** Clock in milliseconds (tests). Default `performance.now`. */
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * A token bucket per key (the client IP): each request takes one token; buckets refill continuously at
 * `requestsPerSecond` up to `requestsPerSecond` tokens.
 *
 * @example
 * ```ts
 * const limiter = new TokenBucketRateLimiter({ requestsPerSecond: 10 });
 * const decision = limiter.take(request.ip);
 * if (!decision.allowed) throw new RateLimitedError(10, decision.retryAfterSeconds);
 * ```
 */
export class TokenBucketRateLimiter {
  readonly requestsPerSecond: number;
  readonly #capacity: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: TokenBucketRateLimiterOptions) {
    if (!(options.requestsPerSecond > 0)) throw new RangeError('requestsPerSecond must be greater than 0.');
    this.requestsPerSecond = options.requestsPerSecond;
    this.#capacity = Math.max(1, options.requestsPerSecond);
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Takes one token for `key`, or says how many whole seconds until one is available. */
  take(key: string): RateLimitDecision {
    const now = this.#now();
    let bucket = this.#buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(
        this.#capacity,
        bucket.tokens + ((now - bucket.updatedAt) / 1000) * this.requestsPerSecond,
      );
      bucket.updatedAt = now;
    } else {
      if (this.#buckets.size >= this.#maxKeys) this.#evict(now);
      bucket = { tokens: this.#capacity, updatedAt: now };
      this.#buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const secondsUntilToken = (1 - bucket.tokens) / this.requestsPerSecond;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(secondsUntilToken)) };
  }

  /** Number of keys currently tracked. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Drops buckets that have refilled completely (they behave exactly like a new bucket). */
  sweep(): void {
    this.#evict(this.#now(), false);
  }

  #evict(now: number, makeRoom = true): void {
    const refillMs = (this.#capacity / this.requestsPerSecond) * 1000;
    for (const [key, bucket] of this.#buckets) {
      if (now - bucket.updatedAt >= refillMs) this.#buckets.delete(key);
    }
    // Still full of active clients (e.g. a flood of spoofed sources): drop the oldest entries.
    if (makeRoom && this.#buckets.size >= this.#maxKeys) {
      const excess = this.#buckets.size - this.#maxKeys + 1;
      let dropped = 0;
      for (const key of this.#buckets.keys()) {
        if (dropped++ >= excess) break;
        this.#buckets.delete(key);
      }
    }
  }
}
