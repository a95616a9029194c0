/**
 * The mock's clock: a base clock (the real time, or the `now` option of the state) plus an offset that tests
 * move with `state.clock.advance('30d')` or `state.clock.set(date)`, so that certificates expire in a test.
 * Every status and expiry check of the mock reads this clock.
 */

/**
 * A duration: milliseconds as a number, or a string of one or more `<number><unit>` parts with the units
 * `ms`, `s`, `m` (minutes), `h`, `d`, `w`, e.g. `'30d'`, `'12h'`, `'90m'`, `'2w'`, `'1d12h'`, `'1.5h'`.
 *
 * @example
 * ```ts
 * const month: DurationInput = '30d';
 * const second: DurationInput = 1_000;
 * ```
 */
export type DurationInput = number | string;

/**
 * Thrown by {@link parseDuration} (and so by `clock.advance`) for a duration it cannot read.
 *
 * @example
 * ```ts
 * expect(() => state.clock.advance('1 month')).toThrow(InvalidDurationError);
 * ```
 */
export class InvalidDurationError extends RangeError {
  override readonly name = 'InvalidDurationError';
  readonly code = 'mock_invalid_duration';
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(?:\d+(?:\.\d+)?\s*(?:ms|s|m|h|d|w)\s*)+$/;
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g;
const HOW =
  "Use milliseconds (a number) or a string such as '90s', '90m', '12h', '30d', '2w' or '1d12h' (units ms, s, m, h, d, w)";

/**
 * Reads a {@link DurationInput} as milliseconds. Months and years are refused (their length varies): write
 * days, or set the date with `clock.set()`. Negative durations are refused too.
 *
 * @throws {InvalidDurationError} for anything else.
 * @example
 * ```ts
 * parseDuration('30d'); // 2_592_000_000
 * parseDuration('1h30m'); // 5_400_000
 * parseDuration(250); // 250
 * ```
 */
export function parseDuration(input: DurationInput): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new InvalidDurationError(
      `Invalid duration ${String(input)}: a number of milliseconds must be finite and not negative (use clock.set(date) to go back). ${HOW}.`,
    );
  }
  const text = typeof input === 'string' ? input.trim() : '';
  if (/^\d+$/.test(text)) return Number(text);
  if (typeof input !== 'string' || !DURATION.test(text)) {
    const hint = /^-/.test(text)
      ? ' Durations cannot be negative: use clock.set(date) to go back.'
      : /\d\s*(mo|months?|y|years?|M)$/.test(text)
        ? ' Months and years vary in length: write days (e.g. 365d) or use clock.set(date).'
        : '';
    throw new InvalidDurationError(`Invalid duration ${JSON.stringify(input)}.${hint} ${HOW}.`);
  }
  let total = 0;
  for (const [, amount = '0', unit = 'ms'] of text.matchAll(PART))
    total += Number(amount) * (UNIT_MS[unit] ?? 0);
  return Math.round(total);
}

function toTime(date: Date | string | number): number {
  const time = date instanceof Date ? date.getTime() : new Date(date).getTime();
  if (Number.isNaN(time)) throw new TypeError(`Not a date: ${String(date)}`);
  return time;
}

/**
 * The clock of a mock state (`state.clock`): the base clock moved by an offset. With the real time as base
 * the time keeps running after `advance` / `set`; with a fixed `now` option it stays where it was put.
 *
 * @example
 * ```ts
 * const state = createMockState({ certificates: [{ accountId: 'le1', name: 'Soon', notAfter: inTenDays }] });
 * state.clock.advance('30d');
 * state.listCertificates('le1')[0]?.status; // 'Expired'
 * ```
 */
export class MockClock {
  #offsetMs = 0;

  /**
   * @param base The clock the offset applies to.
   * @param onChange Called after each move (the state saves itself when persisted).
   */
  constructor(
    private readonly base: () => Date,
    private readonly onChange: () => void = () => {},
  ) {}

  /** The mock's current time. */
  now(): Date {
    return new Date(this.base().getTime() + this.#offsetMs);
  }

  /**
   * Moves the clock forward by `duration` ({@link DurationInput}); returns the new time.
   *
   * @throws {InvalidDurationError} for an unreadable or negative duration.
   */
  advance(duration: DurationInput): Date {
    this.#offsetMs += parseDuration(duration);
    this.onChange();
    return this.now();
  }

  /**
   * Makes the mock's time `date` now (forward or back); returns it.
   *
   * @throws {TypeError} for an invalid date.
   */
  set(date: Date | string | number): Date {
    this.#offsetMs = toTime(date) - this.base().getTime();
    this.onChange();
    return this.now();
  }

  /** Back to the base clock (offset 0). `state.reset()` does it too. */
  reset(): void {
    this.#offsetMs = 0;
    this.onChange();
  }

  /** How far (ms) the mock's time is from the base clock; what persistence saves. */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  set offsetMs(value: number) {
    if (!Number.isFinite(value)) throw new TypeError(`A clock offset must be a finite number, not ${value}.`);
    this.#offsetMs = value;
    this.onChange();
  }
}
