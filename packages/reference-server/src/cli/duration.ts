const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Longest accepted duration: ten years. */
const MAX_MS = 10 * 365 * UNIT_MS.d;

/**
 * Parses a duration like `30d`, `12h`, `90m`, `3600s` or `2w` into milliseconds; `undefined` when malformed,
 * zero or longer than ten years.
 *
 * @example
 * ```ts
 * parseDuration('30d'); // 2592000000
 * parseDuration('soon'); // undefined
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = /^([0-9]{1,6})\s*([smhdw])$/i.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  const ms = Number(amount) * UNIT_MS[(unit as string).toLowerCase() as keyof typeof UNIT_MS];
  return ms > 0 && ms <= MAX_MS ? ms : undefined;
}
