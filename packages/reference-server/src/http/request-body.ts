import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How the gateway treats request bodies at the HTTP edge, before and after any route reads them:
 *
 * - a {@link BodyWatch} cuts bodies that stall or trickle (as Apache's `mod_reqtimeout body=20,MinRate=500`:
 *   a grace period, extended by one second for every `minBytesPerSecond` bytes received);
 * - {@link discardRequestBody} reads and throws away what the client is still sending, so an answer given
 *   before the body was read reaches the client as that answer;
 * - {@link closeInStages} closes a connection the way RFC 9112 §9.6 asks when the client may still be
 *   sending: the write side once the answer is flushed, the read side only when the client closes (or a
 *   bound passes). Closing both at once turns the unread bytes into a TCP reset that destroys the answer.
 */

/** Timeouts of request bodies (`MTLS_BODY_TIMEOUT_MS`, `MTLS_BODY_MIN_RATE`). */
export interface BodyTimeouts {
  /** Grace period for the first bytes of the body. */
  startTimeoutMs: number;
  /** After the grace period, the body must arrive at least this fast on average. */
  minBytesPerSecond: number;
}

/** The declared `Content-Length` of a request, when it is a valid number. */
export function declaredBodyLength(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['content-length'];
  if (value === undefined || !/^[0-9]{1,16}$/.test(value)) return undefined;
  return Number(value);
}

/** Whether a request announces a body (a non-zero `Content-Length`, or `Transfer-Encoding`). */
export function announcesBody(headers: IncomingHttpHeaders): boolean {
  return headers['transfer-encoding'] !== undefined || (declaredBodyLength(headers) ?? 0) > 0;
}

/**
 * Watches the body of one request: bytes are counted on the socket (so watching never consumes the stream),
 * and time during which the gateway itself is not reading (data waiting in the request stream, or the socket
 * paused for backpressure) is not held against the client. `onTimeout` runs once when the body is too slow.
 *
 * @example
 * ```ts
 * const watch = new BodyWatch(request.raw, { startTimeoutMs: 20_000, minBytesPerSecond: 500 }, () => answer408());
 * request.raw.once('end', () => watch.stop());
 * ```
 */
export class BodyWatch {
  readonly #request: IncomingMessage;
  readonly #socket: Socket;
  readonly #baseline: number;
  readonly #timeouts: BodyTimeouts;
  readonly #started = Date.now();
  #credit = 0;
  #lastTick = Date.now();
  #timer: NodeJS.Timeout | undefined;
  #timeoutListeners: Array<() => void> = [];
  #timedOut = false;

  constructor(request: IncomingMessage, timeouts: BodyTimeouts, onTimeout?: () => void) {
    this.#request = request;
    this.#socket = request.socket;
    this.#baseline = this.#socket.bytesRead;
    this.#timeouts = timeouts;
    if (onTimeout) this.#timeoutListeners.push(onTimeout);
    const tick = Math.max(50, Math.min(1_000, Math.floor(timeouts.startTimeoutMs / 4)));
    this.#timer = setInterval(() => this.#check(), tick);
    this.#timer.unref();
    const stop = () => this.stop();
    request.once('end', stop);
    request.once('close', stop);
  }

  /** Bytes received on the connection since the request's headers (≈ the body so far). */
  get receivedBytes(): number {
    return this.#socket.bytesRead - this.#baseline;
  }

  /** Whether the body was cut for being too slow. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  /**
   * Replaces what happens on a timeout (the default answers 408): e.g. while the gateway discards the body
   * before its answer, a timeout sends that answer and closes instead.
   */
  onTimeout(listener: () => void): void {
    this.#timeoutListeners = [listener];
  }

  /** Stops watching (the body is complete, or the connection is gone). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #check(): void {
    const now = Date.now();
    const elapsed = now - this.#lastTick;
    this.#lastTick = now;
    if (this.#request.complete || this.#socket.destroyed) {
      this.stop();
      return;
    }
    // The gateway is the slow side: the client is not to blame for this time.
    if (this.#request.readableLength > 0 || this.#socket.isPaused()) this.#credit += elapsed;
    const { startTimeoutMs, minBytesPerSecond } = this.#timeouts;
    const deadline =
      this.#started + this.#credit + startTimeoutMs + (this.receivedBytes / minBytesPerSecond) * 1000;
    if (now <= deadline) return;
    this.#timedOut = true;
    this.stop();
    for (const listener of this.#timeoutListeners) listener();
  }
}

/** How {@link discardRequestBody} ended. */
export type DiscardOutcome = 'complete' | 'over_limit' | 'closed';

/**
 * Reads and throws away the rest of a request body (whatever was reading it is detached first). Resolves
 * `complete` once the body has ended, `over_limit` as soon as more than `limitBytes` were received in all
 * (the rest keeps being discarded while the connection is closed in stages), `closed` when the connection
 * went away or `watch` timed out.
 *
 * @example
 * ```ts
 * if ((await discardRequestBody(request.raw, { limitBytes, watch })) !== 'complete') closeInStages(…);
 * ```
 */
export function discardRequestBody(
  request: IncomingMessage,
  options: { limitBytes: number; watch?: BodyWatch | undefined },
): Promise<DiscardOutcome> {
  if (request.complete) return Promise.resolve('complete');
  if (request.destroyed || request.socket.destroyed) return Promise.resolve('closed');
  return new Promise<DiscardOutcome>((resolve) => {
    const received = () => options.watch?.receivedBytes ?? 0;
    const finish = (outcome: DiscardOutcome) => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('close', onClose);
      resolve(outcome);
    };
    const onData = () => {
      if (received() > options.limitBytes) finish('over_limit');
    };
    const onEnd = () => finish('complete');
    const onClose = () => finish(request.complete ? 'complete' : 'closed');
    options.watch?.onTimeout(() => finish('closed'));
    request.unpipe();
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('close', onClose);
    // A parser that gave up may have left an error behind; discarding must not crash on it.
    request.on('error', () => undefined);
    request.resume();
    onData();
  });
}

const staged = new WeakSet<Socket>();

/**
 * Makes the connection close in stages after the current answer (which must carry `Connection: close`):
 * Node ends the write side once the answer is flushed; the read side stays open, and what the client still
 * sends is read and dropped, until the client closes its side or `lingerMs` pass. Only then is the socket
 * destroyed, so the client reads the whole answer instead of a reset.
 *
 * @example
 * ```ts
 * reply.header('connection', 'close');
 * closeInStages(request.raw.socket, 5_000);
 * ```
 */
export function closeInStages(socket: Socket, lingerMs: number): void {
  if (staged.has(socket) || socket.destroyed) return;
  staged.add(socket);
  // Node's HTTP server calls destroySoon() after an answer with `Connection: close`; its own version destroys
  // the socket as soon as the write side is flushed.
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.writable) this.end();
    const timer = setTimeout(() => this.destroy(), lingerMs);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    // The HTTP parser keeps reading and drops the rest of the body; the client's FIN ends the socket.
    this.resume();
  };
}
