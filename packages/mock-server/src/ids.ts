/**
 * Deterministic ids: the gateway's ids are random positive integers below 2^53, so the mock draws them from
 * a seeded PRNG. The same seed gives the same ids in every run, which keeps test snapshots and URLs stable.
 */

const TWO_POW_32 = 2 ** 32;
/** Ids start at 10^9 so they look like the gateway's (e.g. 3515906310) and never collide with small literals. */
const SMALLEST_ID = 1_000_000_000;
const LARGEST_ID = Number.MAX_SAFE_INTEGER;

/**
 * Where an {@link IdGenerator} is in its sequence, to continue it elsewhere (the saved state of a persisted
 * mock).
 *
 * @example
 * ```ts
 * const position: IdPosition = state.ids.position();
 * other.ids.moveTo(position); // other.ids.nextId() === state.ids.nextId()
 * ```
 */
export interface IdPosition {
  /** The PRNG's 32-bit state. */
  state: number;
  /** Request ids issued so far. */
  requestCounter: number;
  /** Every id issued or reserved. */
  issued: number[];
}

/**
 * A seeded generator of gateway-like ids and request ids.
 *
 * @example
 * ```ts
 * const ids = new IdGenerator(42);
 * const first = ids.nextId();
 * ids.reset();
 * ids.nextId() === first; // true
 * ```
 */
export class IdGenerator {
  #state = 0;
  #requestCounter = 0;
  readonly #issued = new Set<number>();

  constructor(readonly seed: number) {
    this.reset();
  }

  /** Starts the sequence over (same ids again). */
  reset(): void {
    this.#state = this.seed >>> 0;
    this.#requestCounter = 0;
    this.#issued.clear();
  }

  /** mulberry32: a small, well-distributed 32-bit PRNG. */
  #next32(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** The next id: an integer in [10^9, 2^53 − 1], never one this generator issued before. */
  nextId(): number {
    for (;;) {
      // 53 random bits from two draws, then folded into the range.
      const high = this.#next32() & 0x1fffff;
      const value = high * TWO_POW_32 + this.#next32();
      const id = SMALLEST_ID + (value % (LARGEST_ID - SMALLEST_ID));
      if (!this.#issued.has(id)) {
        this.#issued.add(id);
        return id;
      }
    }
  }

  /** Marks an id as taken (a seeded record with an explicit id), so `nextId` never returns it. */
  reserve(id: number): void {
    this.#issued.add(id);
  }

  /** Where the sequence is (see {@link IdPosition}). */
  position(): IdPosition {
    return { state: this.#state, requestCounter: this.#requestCounter, issued: [...this.#issued] };
  }

  /** Continues the sequence from `position` (taken from a generator of any seed). */
  moveTo(position: IdPosition): void {
    this.#state = position.state >>> 0;
    this.#requestCounter = position.requestCounter;
    this.#issued.clear();
    for (const id of position.issued) this.#issued.add(id);
  }

  /** The next request id: `req-mock-000001`, `req-mock-000002`, … */
  nextRequestId(): string {
    this.#requestCounter += 1;
    return `req-mock-${String(this.#requestCounter).padStart(6, '0')}`;
  }
}
