/**
 * Abort-signal plumbing of the transport: per-attempt timeouts, combining them with the caller's signal, and
 * waits that an abort cuts short. Web APIs only, with fallbacks for runtimes that lack `AbortSignal.any`.
 */

/**
 * A signal that aborts when any of `signals` does, with that signal's reason. `dispose` detaches the
 * listeners of the fallback used where `AbortSignal.any` is missing (a no-op otherwise).
 *
 * @example
 * ```ts
 * const { signal, dispose } = anySignal([callerSignal, AbortSignal.timeout(5_000)]);
 * try {
 *   await fetch(url, { signal });
 * } finally {
 *   dispose();
 * }
 * ```
 */
export function anySignal(signals: ReadonlyArray<AbortSignal | undefined>): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (typeof AbortSignal.any === 'function') return { signal: AbortSignal.any(present), dispose: () => {} };
  return anySignalFallback(present);
}

/**
 * `AbortSignal.any` by hand, for runtimes without it (Safari before 17.4, older edge runtimes). Exported
 * for its test.
 *
 * @example
 * ```ts
 * const { signal, dispose } = anySignalFallback([first.signal, second.signal]);
 * ```
 */
export function anySignalFallback(signals: readonly AbortSignal[]): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  const detachers: Array<() => void> = [];
  const dispose = () => {
    for (const detach of detachers.splice(0)) detach();
  };
  for (const source of signals) {
    if (source.aborted) {
      controller.abort(source.reason);
      dispose();
      return { signal: controller.signal, dispose };
    }
    const onAbort = () => {
      controller.abort(source.reason);
      dispose();
    };
    source.addEventListener('abort', onAbort, { once: true });
    detachers.push(() => source.removeEventListener('abort', onAbort));
  }
  return { signal: controller.signal, dispose };
}

/**
 * The timeout of one attempt. `release()` stops it from firing, so a streamed answer body can outlive it.
 *
 * @example
 * ```ts
 * const timeout = startAttemptTimeout(5_000, () => new Error('too slow'));
 * const response = await fetch(url, { signal: timeout.signal });
 * timeout.release();
 * ```
 */
export interface AttemptTimeout {
  /** Aborts with the reason made by `reasonOnTimeout`; `undefined` when there is no timeout. */
  readonly signal: AbortSignal | undefined;
  /** Whether the timeout fired (before `release`). */
  readonly timedOut: boolean;
  release(): void;
}

/**
 * Starts a fresh timeout for one attempt: an `AbortSignal.timeout(ms)` gated so that `release()` can disarm
 * it (an `AbortSignal.timeout` cannot be cancelled). A non-finite `ms` means no timeout.
 *
 * @example
 * ```ts
 * const timeout = startAttemptTimeout(1_000, () => new TimeoutError('no answer within 1000 ms'));
 * ```
 */
export function startAttemptTimeout(ms: number, reasonOnTimeout: () => unknown): AttemptTimeout {
  if (!Number.isFinite(ms)) return { signal: undefined, timedOut: false, release() {} };
  const gate = new AbortController();
  let released = false;
  let timedOut = false;
  const timer = timeoutSignal(ms);
  timer.addEventListener(
    'abort',
    () => {
      if (released) return;
      timedOut = true;
      gate.abort(reasonOnTimeout());
    },
    { once: true },
  );
  return {
    signal: gate.signal,
    get timedOut() {
      return timedOut;
    },
    release() {
      released = true;
    },
  };
}

function timeoutSignal(ms: number): AbortSignal {
  if (typeof AbortSignal.timeout === 'function') return AbortSignal.timeout(ms);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

/**
 * Waits `ms` milliseconds; rejects with the signal's reason as soon as `signal` aborts.
 *
 * @example
 * ```ts
 * await sleep(250, request.signal);
 * ```
 */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Settles like `promise`, or rejects with the signal's reason as soon as `signal` aborts (the promise itself
 * keeps running: use it for work shared with other callers).
 *
 * @example
 * ```ts
 * const baseUrl = await raceAbort(sharedDiscovery, request.signal);
 * ```
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
