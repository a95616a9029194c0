/**
 * Days until a certificate expires, and how urgent that is: the table colours and the timeline use the same
 * thresholds.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;

/** Fewer days than this left: the certificate needs rotating soon. */
export const EXPIRY_WARNING_DAYS = 30;

/** `expired`, `soon` (under {@link EXPIRY_WARNING_DAYS}), `ok`, or `unknown` (no expiration date). */
export type ExpiryLevel = 'expired' | 'soon' | 'ok' | 'unknown';

/** Whole days from `now` until `expirationDate` (negative once expired), or `undefined` when unknown. */
export function daysUntil(expirationDate: string | null | undefined, now: Date): number | undefined {
  if (!expirationDate) return undefined;
  const expires = Date.parse(expirationDate);
  if (Number.isNaN(expires)) return undefined;
  return Math.floor((expires - now.getTime()) / DAY_MS);
}

/** The urgency of `days` left ({@link daysUntil}); a certificate the gateway calls `Expired` is expired. */
export function expiryLevel(days: number | undefined, status?: string): ExpiryLevel {
  if (status === 'Expired') return 'expired';
  if (days === undefined) return 'unknown';
  if (days < 0) return 'expired';
  return days < EXPIRY_WARNING_DAYS ? 'soon' : 'ok';
}

/** Words for the days left, so the colour is never the only signal. */
export function describeExpiry(days: number | undefined, status?: string): string {
  if (days === undefined) return status === 'Expired' ? 'expired' : 'unknown';
  if (days < 0) return `expired ${-days} day${days === -1 ? '' : 's'} ago`;
  if (days === 0) return 'expires today';
  return `${days} day${days === 1 ? '' : 's'}`;
}

/** `YYYY-MM-DD` of a timestamp (UTC), or an em dash. */
export function isoDate(timestamp: string | null | undefined): string {
  if (!timestamp) return '—';
  const time = Date.parse(timestamp);
  return Number.isNaN(time) ? '—' : new Date(time).toISOString().slice(0, 10);
}
