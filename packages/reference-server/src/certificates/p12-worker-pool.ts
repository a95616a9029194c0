import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { P12TooCostlyError } from '@mtls-gateway/sdk/p12';
import { Piscina } from 'piscina';
import { type OpenP12Result, type OpenP12Task, openP12 } from './p12-worker.js';

export type { OpenP12Result, OpenP12Task } from './p12-worker.js';

/**
 * Opens PKCS#12 files: the {@link P12WorkerPool} of the app, or {@link inProcessP12Opener}.
 *
 * @example
 * ```ts
 * const result = await opener.open({ bytes, password, now: new Date(), allowExpired: false });
 * ```
 */
export interface P12Opener {
  open(task: OpenP12Task): Promise<OpenP12Result>;
}

/**
 * Opens files on the caller's thread, with the SDK's key-derivation budget but no deadline. For tests and
 * tools; a server uses a {@link P12WorkerPool}, so that no file blocks the event loop.
 *
 * @example
 * ```ts
 * const certificates = new CertificateService({ db, secrets, p12Opener: inProcessP12Opener });
 * ```
 */
export const inProcessP12Opener: P12Opener = {
  open: async (task) => openP12(task),
};

/**
 * The pool cannot take a file now: as many files as it queues are already waiting, or it is closed. Not an
 * HTTP error itself: the HTTP layer answers 503 `unavailable` with `Retry-After: retryAfterSeconds`.
 *
 * @example
 * ```ts
 * if (error instanceof P12WorkersUnavailableError) reply.header('Retry-After', String(error.retryAfterSeconds));
 * ```
 */
export class P12WorkersUnavailableError extends Error {
  override readonly name = 'P12WorkersUnavailableError';
  readonly code = 'p12_workers_unavailable';

  constructor(
    message: string,
    /** When a slot is likely free again: one deadline. */
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** Options of {@link P12WorkerPool}. */
export interface P12WorkerPoolOptions {
  /** Worker threads (`MTLS_P12_WORKERS`); default {@link defaultP12WorkerThreads}. */
  threads?: number | undefined;
  /** Deadline of one file in milliseconds (`MTLS_P12_TIMEOUT_MS`), counted from when a thread takes it. Default 5000. */
  timeoutMs?: number | undefined;
  /** Files that may wait for a thread; one more is refused. Default 8 per thread. */
  maxQueue?: number | undefined;
  /** Old-generation heap of each thread in MiB: a file needing more kills only its thread. Default 256. */
  maxHeapMb?: number | undefined;
}

/** Default of `MTLS_P12_WORKERS`: two threads, or one on a single-CPU machine. */
export function defaultP12WorkerThreads(): number {
  return Math.min(2, os.availableParallelism());
}

/** Default of `MTLS_P12_TIMEOUT_MS`. */
export const DEFAULT_P12_TIMEOUT_MS = 5000;

/** True when this module runs from its TypeScript source (tests, `tsx`) rather than from `dist/`. */
const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * Where a worker thread finds the worker module. From `dist/`, the compiled `p12-worker.js` beside this file.
 * From the sources, `p12-worker.ts`, loaded through tsx with the workspace's source condition (the same
 * resolution as the tests), since Node 20 cannot import TypeScript itself.
 */
function workerSetup(): { filename: string; execArgv?: string[] } {
  if (!RUNNING_FROM_SOURCE) return { filename: new URL('./p12-worker.js', import.meta.url).href };
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return {
    filename: new URL('./p12-worker.ts', import.meta.url).href,
    execArgv: ['--import', tsx, '--conditions=@mtls-gateway/source'],
  };
}

/**
 * Opens PKCS#12 files on a small pool of worker threads (piscina), so that key derivations never block the
 * event loop every tenant shares. Each file gets a deadline from when a thread takes it: past it the thread
 * is terminated (piscina replaces it) and the file is refused with `p12_too_costly`, as is a file that
 * exhausts a thread's heap. Files wait in a bounded queue; when it is full, {@link open} throws
 * {@link P12WorkersUnavailableError}. Threads start with the first file. Build one per app; close it with
 * the app.
 *
 * @example
 * ```ts
 * const pool = new P12WorkerPool({ threads: 2, timeoutMs: 5000 });
 * const result = await pool.open({ bytes, password: 'changeit', now: new Date(), allowExpired: false });
 * await pool.close();
 * ```
 */
export class P12WorkerPool implements P12Opener {
  readonly threads: number;
  readonly timeoutMs: number;
  readonly maxQueue: number;
  readonly maxHeapMb: number;
  #piscina: Piscina<OpenP12Task, OpenP12Result> | undefined;
  // The deadline must not count the wait for a thread (that would refuse good files as too costly under
  // load), and piscina does not tell when a task starts: so files wait here, and piscina only ever gets as
  // many as it has threads.
  #running = 0;
  readonly #waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #closed = false;
  #started = 0;
  /** Settles once every first thread has loaded the worker module (see #run). */
  #warm: Promise<void> | undefined;

  constructor(options: P12WorkerPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? defaultP12WorkerThreads());
    this.timeoutMs = Math.max(1, options.timeoutMs ?? DEFAULT_P12_TIMEOUT_MS);
    this.maxQueue = Math.max(0, options.maxQueue ?? this.threads * 8);
    this.maxHeapMb = options.maxHeapMb ?? 256;
  }

  /** Files handed to a thread so far. */
  get started(): number {
    return this.#started;
  }

  /** Files waiting for a thread now. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * Opens one file on a worker thread.
   *
   * @throws {P12WorkersUnavailableError} when the queue is full or the pool is closed.
   */
  async open(task: OpenP12Task): Promise<OpenP12Result> {
    await this.#acquire();
    try {
      if (this.#closed) throw this.#unavailable('is shutting down');
      this.#started++;
      return await this.#run(task);
    } finally {
      this.#release();
    }
  }

  /** Refuses waiting files, stops the threads (a running file fails with P12WorkersUnavailableError). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const waiter of this.#waiting.splice(0)) waiter.reject(this.#unavailable('is shutting down'));
    const piscina = this.#piscina;
    this.#piscina = undefined;
    await piscina?.destroy();
  }

  #unavailable(reason: string): P12WorkersUnavailableError {
    return new P12WorkersUnavailableError(
      `The gateway ${reason}: it cannot open a PKCS#12 file now. Retry in a moment.`,
      Math.ceil(this.timeoutMs / 1000),
    );
  }

  #acquire(): Promise<void> {
    if (this.#closed) return Promise.reject(this.#unavailable('is shutting down'));
    if (this.#running < this.threads) {
      this.#running++;
      return Promise.resolve();
    }
    if (this.#waiting.length >= this.maxQueue) {
      return Promise.reject(this.#unavailable('is busy opening other PKCS#12 files'));
    }
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject }));
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes to the next file as it is.
    if (next) next.resolve();
    else this.#running--;
  }

  /**
   * piscina hands tasks to new threads before they loaded the worker module (seconds from the sources on a
   * busy machine): an empty file per new thread, without deadline, keeps that start out of the next real
   * file's deadline (else a good file is refused as p12_too_costly).
   */
  #warmUp(piscina: Piscina<OpenP12Task, OpenP12Result>, threads: number): void {
    this.#warm = Promise.all(
      Array.from({ length: threads }, () => piscina.run(WARM_UP_TASK).catch(() => undefined)),
    ).then(() => undefined);
  }

  async #run(task: OpenP12Task): Promise<OpenP12Result> {
    if (!this.#piscina) {
      const piscina = new Piscina<OpenP12Task, OpenP12Result>({
        ...workerSetup(),
        minThreads: this.threads,
        maxThreads: this.threads,
        concurrentTasksPerWorker: 1,
        resourceLimits: { maxOldGenerationSizeMb: this.maxHeapMb },
      });
      this.#piscina = piscina;
      this.#warmUp(piscina, this.threads);
    }
    await this.#warm;
    const piscina = this.#piscina;
    if (this.#closed || !piscina) throw this.#unavailable('is shutting down');
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      return await piscina.run(task, { signal: deadline });
    } catch (error) {
      // Both stop the thread: piscina starts a replacement.
      if (deadline.aborted) {
        this.#warmUp(piscina, 1);
        return tooCostly(`opening it takes longer than ${this.timeoutMs} ms`);
      }
      if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') {
        this.#warmUp(piscina, 1);
        return tooCostly(`opening it needs more than ${this.maxHeapMb} MiB of memory`);
      }
      if (this.#closed) throw this.#unavailable('is shutting down');
      throw error;
    }
  }
}

/** Opens nothing (an empty file fails at once); loads the worker module on a fresh thread. */
const WARM_UP_TASK: OpenP12Task = {
  bytes: new Uint8Array(0),
  password: '',
  now: new Date(0),
  allowExpired: true,
};

function tooCostly(detail: string): OpenP12Result {
  const error = new P12TooCostlyError(detail);
  return { ok: false, code: error.code, message: error.message };
}
