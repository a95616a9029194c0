import { describe, expect, it, vi } from 'vitest';
import { type UpstreamPool, type UpstreamPoolKey, UpstreamPools } from './upstream-pools.js';

function fakePool(busy = 0): UpstreamPool & { closed: boolean; destroyed: boolean } {
  const pool = {
    closed: false,
    destroyed: false,
    stats: { running: busy, pending: 0 },
    close: vi.fn(async () => {
      pool.closed = true;
    }),
    destroy: vi.fn(async () => {
      pool.destroyed = true;
    }),
  };
  return pool as unknown as UpstreamPool & { closed: boolean; destroyed: boolean };
}

const key = (
  accountId: string,
  id?: number,
  version = 1,
  origin = 'https://api.example.com',
): UpstreamPoolKey => ({
  accountId,
  certificate: id === undefined ? undefined : { id, version },
  origin,
});

describe('UpstreamPools', () => {
  it('keys pools on account, certificate id + version and origin', () => {
    const pools = new UpstreamPools({});
    const created: UpstreamPool[] = [];
    const make = () => {
      const pool = fakePool();
      created.push(pool);
      return pool;
    };
    const a = pools.acquire(key('le1', 1), make);
    expect(pools.acquire(key('le1', 1), make)).toBe(a);
    pools.acquire(key('le2', 1), make);
    pools.acquire(key('le1', 2), make);
    pools.acquire(key('le1'), make);
    pools.acquire(key('le2'), make);
    pools.acquire(key('le1', 1, 1, 'https://other.example.com'), make);
    expect(created).toHaveLength(6);
    expect(pools.size).toBe(6);
  });

  it('closes the least recently used pool beyond the bound', () => {
    const pools = new UpstreamPools({ maxPools: 2 });
    const first = fakePool();
    pools.acquire(key('a'), () => first);
    pools.acquire(key('b'), fakePool);
    pools.acquire(key('a'), fakePool); // a is now the most recent
    pools.acquire(key('c'), fakePool);
    expect(pools.has(key('a'))).toBe(true);
    expect(pools.has(key('b'))).toBe(false);
    expect(pools.size).toBe(2);
    expect(first.closed).toBe(false);
  });

  it('closes every pool of a changed certificate, gracefully', () => {
    const sizes: number[] = [];
    const pools = new UpstreamPools({ onSizeChange: (size) => sizes.push(size) });
    const v1 = fakePool();
    const v2 = fakePool();
    const other = fakePool();
    // A late request of the old version (it read the certificate before the change) adds a v1 pool.
    pools.acquire(key('le1', 7, 2, 'https://b.example'), () => v2);
    pools.acquire(key('le1', 7, 1), () => v1);
    pools.acquire(key('le1', 8), () => other);
    expect(pools.closeCertificate(7, 2)).toBe(1);
    expect(v1.closed).toBe(true);
    expect(v2.closed).toBe(false);
    expect(pools.closeCertificate(7)).toBe(1);
    expect(other.closed).toBe(false);
    expect(sizes.at(-1)).toBe(1);
  });

  it('closes the pools of older versions when a newer version gets its pool', () => {
    const pools = new UpstreamPools({});
    const v1 = fakePool();
    const v1Elsewhere = fakePool();
    pools.acquire(key('le1', 3, 1), () => v1);
    pools.acquire(key('le1', 3, 1, 'https://b.example'), () => v1Elsewhere);
    pools.acquire(key('le1', 4, 1), fakePool);
    pools.acquire(key('le1', 3, 2), fakePool);
    expect([v1.closed, v1Elsewhere.closed]).toEqual([true, true]);
    expect(pools.size).toBe(2);
  });

  it('closes idle pools that serve nothing', () => {
    const pools = new UpstreamPools({ idleTimeoutMs: 1_000 });
    const idle = fakePool();
    const busy = fakePool(1);
    pools.acquire(key('idle'), () => idle);
    pools.acquire(key('busy'), () => busy);
    expect(pools.closeIdle(performance.now() + 500)).toBe(0);
    expect(pools.closeIdle(performance.now() + 2_000)).toBe(1);
    expect(idle.closed).toBe(true);
    expect(busy.closed).toBe(false);
  });

  it('destroys everything on close and refuses new pools', async () => {
    const pools = new UpstreamPools({});
    const pool = fakePool();
    pools.acquire(key('a'), () => pool);
    await pools.close();
    expect(pool.destroyed).toBe(true);
    expect(() => pools.acquire(key('a'), fakePool)).toThrow(/closed/);
  });
});
