import { describe, expect, it } from 'vitest';
import { anySignal, anySignalFallback, raceAbort, sleep, startAttemptTimeout } from './signals.js';

describe('anySignal and its fallback', () => {
  for (const [name, combine] of [
    ['AbortSignal.any', anySignal],
    ['fallback', anySignalFallback],
  ] as const) {
    it(`${name}: aborts with the reason of the first source that aborts`, () => {
      const first = new AbortController();
      const second = new AbortController();
      const { signal } = combine([first.signal, second.signal]);
      expect(signal.aborted).toBe(false);
      second.abort('second reason');
      first.abort('first reason');
      expect(signal.aborted).toBe(true);
      expect(signal.reason).toBe('second reason');
    });

    it(`${name}: is aborted at once when a source already is`, () => {
      const { signal } = combine([new AbortController().signal, AbortSignal.abort('early')]);
      expect(signal.reason).toBe('early');
    });
  }

  it('the fallback detaches its listeners on dispose', () => {
    const source = new AbortController();
    const { signal, dispose } = anySignalFallback([source.signal]);
    dispose();
    source.abort();
    expect(signal.aborted).toBe(false);
  });
});

describe('startAttemptTimeout', () => {
  it('aborts with the given reason once the time is up', async () => {
    const timeout = startAttemptTimeout(20, () => 'too slow');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(timeout.timedOut).toBe(true);
    expect(timeout.signal?.reason).toBe('too slow');
  });

  it('never fires after release', async () => {
    const timeout = startAttemptTimeout(20, () => 'too slow');
    timeout.release();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(timeout.timedOut).toBe(false);
    expect(timeout.signal?.aborted).toBe(false);
  });

  it('has no signal for an infinite timeout', () => {
    expect(startAttemptTimeout(Number.POSITIVE_INFINITY, () => 'x').signal).toBeUndefined();
  });
});

describe('sleep and raceAbort', () => {
  it('sleep is cut short by an abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort('stop'), 20);
    await expect(sleep(5_000, controller.signal)).rejects.toBe('stop');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('raceAbort settles like the promise unless the signal aborts first', async () => {
    await expect(raceAbort(Promise.resolve(1), new AbortController().signal)).resolves.toBe(1);
    const controller = new AbortController();
    const pending = raceAbort(new Promise(() => {}), controller.signal);
    controller.abort('gone');
    await expect(pending).rejects.toBe('gone');
  });
});
