import { afterAll, describe, expect, it } from 'vitest';
import { macCostCapFile, pbmac1KeyLengthBomb } from '../../../sdk/src/p12/testing/hostile-p12.js';
import {
  inProcessP12Opener,
  type OpenP12Task,
  P12WorkerPool,
  P12WorkersUnavailableError,
} from './p12-worker-pool.js';
import { P12Factory } from './testing/p12-fixtures.js';

const factory = new P12Factory();
const good = factory.valid('pool client', { keyIndex: 0 });

function task(bytes: Uint8Array, password: string): OpenP12Task {
  return { bytes, password, now: new Date(), allowExpired: false };
}

/** Seconds of node-forge work in a worker: SHA-512 MAC at the iteration cap, keyed with no password. */
const costCapFile = macCostCapFile();

describe('P12WorkerPool', () => {
  const pool = new P12WorkerPool({ threads: 1, timeoutMs: 30_000 });
  afterAll(() => pool.close());

  it('opens a file on a worker thread: the event loop keeps running meanwhile', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    try {
      const slow = await pool.open(task(macCostCapFile({ iterations: 50_000 }), ''));
      expect(slow).toMatchObject({ ok: false, code: 'p12_no_private_key' });
    } finally {
      clearInterval(ticker);
    }
    expect(ticks).toBeGreaterThan(0);

    const result = await pool.open(task(good.bytes, good.password));
    expect(result).toMatchObject({
      ok: true,
      parsed: { subject: expect.stringContaining('CN=pool client') },
    });
    expect(result.ok && result.parsed.notAfter).toBeInstanceOf(Date);
    expect(pool.started).toBe(2);
  });

  it('returns refusals as their p12 code and message, like the in-process opener', async () => {
    for (const [bytes, password] of [
      [good.bytes, 'wrong'],
      [pbmac1KeyLengthBomb(), ''],
      [Buffer.from('junk'), ''],
    ] as const) {
      const inWorker = await pool.open(task(bytes, password));
      expect(inWorker.ok).toBe(false);
      expect(inWorker).toEqual(await inProcessP12Opener.open(task(bytes, password)));
    }
  });

  it('terminates a file past its deadline and refuses it as p12_too_costly; the pool goes on', async () => {
    // The cost-cap file needs over a second of node-forge work even on an idle fast machine; a normal file
    // far less. The thread replacing the stopped one loads the worker module (from the sources: seconds on
    // a busy machine) before the next file's deadline starts.
    const strict = new P12WorkerPool({ threads: 1, timeoutMs: 500 });
    try {
      const result = await strict.open(task(costCapFile, ''));
      expect(result).toMatchObject({
        ok: false,
        code: 'p12_too_costly',
        message: expect.stringContaining('longer than 500 ms'),
      });
      const next = await strict.open(task(good.bytes, good.password));
      expect(next.ok).toBe(true);
      expect(strict.started).toBe(2);
    } finally {
      await strict.close();
    }
  });

  it('bounds its queue: one file more is refused with P12WorkersUnavailableError (Retry-After)', async () => {
    const small = new P12WorkerPool({ threads: 1, timeoutMs: 1000, maxQueue: 1 });
    try {
      const running = small.open(task(costCapFile, ''));
      const queued = small.open(task(costCapFile, ''));
      expect(small.queued).toBe(1);
      const refused = await small.open(task(good.bytes, good.password)).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(P12WorkersUnavailableError);
      expect(refused).toMatchObject({ name: 'P12WorkersUnavailableError', retryAfterSeconds: 1 });
      expect(await running).toMatchObject({ code: 'p12_too_costly' });
      expect(await queued).toMatchObject({ code: 'p12_too_costly' });
      expect(small.started).toBe(2);
    } finally {
      await small.close();
    }
  });

  it('refuses files once closed, including those still waiting', async () => {
    const closing = new P12WorkerPool({ threads: 1, timeoutMs: 1000 });
    const running = closing.open(task(costCapFile, '')).catch((error: unknown) => error);
    const waiting = closing.open(task(good.bytes, good.password)).catch((error: unknown) => error);
    await new Promise((resolve) => setImmediate(resolve));
    expect([closing.started, closing.queued]).toEqual([1, 1]);
    await closing.close();
    expect(await waiting).toBeInstanceOf(P12WorkersUnavailableError);
    expect(await running).toBeInstanceOf(P12WorkersUnavailableError);
    await expect(closing.open(task(good.bytes, good.password))).rejects.toBeInstanceOf(
      P12WorkersUnavailableError,
    );
    expect(closing.started).toBe(1);
  });
});
