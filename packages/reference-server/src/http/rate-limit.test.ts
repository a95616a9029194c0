import { describe, expect, it } from 'vitest';
import { TokenBucketRateLimiter } from './rate-limit.js';

describe('TokenBucketRateLimiter', () => {
  it('allows a burst of one second, then refills continuously', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({ requestsPerSecond: 10, now: () => now });
    for (let i = 0; i < 10; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Another address has its own bucket.
    expect(limiter.take('b').allowed).toBe(true);
    now += 100; // one token back
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('never doubles the burst at a window boundary (a token bucket, not a fixed window)', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({ requestsPerSecond: 10, now: () => now });
    expect(limiter.take('a').allowed).toBe(true);
    now = 900; // the bucket is full again: a burst of 10 goes through…
    for (let i = 0; i < 10; i++) expect(limiter.take('a').allowed).toBe(true);
    now = 1000; // …and a fixed window opened at 0 would allow 10 more here; the bucket has refilled one token
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('rounds Retry-After up to whole seconds', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({ requestsPerSecond: 1, now: () => now });
    expect(limiter.take('a').allowed).toBe(true);
    now += 100;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('forgets idle addresses and stays bounded', () => {
    let now = 0;
    const limiter = new TokenBucketRateLimiter({ requestsPerSecond: 5, maxKeys: 3, now: () => now });
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    now += 2000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
    for (const key of ['a', 'b', 'c', 'd', 'e']) limiter.take(key);
    expect(limiter.size).toBeLessThanOrEqual(3);
  });
});
