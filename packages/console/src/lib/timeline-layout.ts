/**
 * The geometry of the expiry timeline (an SVG drawn by `components/timeline.tsx`): one row per certificate,
 * a bar over its validity up to its expiry date, a "today" line, the warning band of the next
 * {@link EXPIRY_WARNING_DAYS} days and date ticks. Pure, so it is tested without a browser.
 */
import { DAY_MS, daysUntil, EXPIRY_WARNING_DAYS, type ExpiryLevel, expiryLevel } from './expiry.js';

export interface TimelineCertificate {
  id: number;
  name: string;
  status: string;
  notBefore?: string | null | undefined;
  expirationDate: string | null;
}

export interface TimelineRow {
  id: number;
  name: string;
  /** The name cut to fit the label column (the full name is in `name`). */
  label: string;
  y: number;
  barX: number;
  barWidth: number;
  /** The bar starts before the axis: its validity began earlier. */
  clippedStart: boolean;
  expiryX: number;
  days: number;
  level: ExpiryLevel;
  expirationDate: string;
}

export interface TimelineTick {
  x: number;
  label: string;
}

export interface TimelineLayout {
  width: number;
  height: number;
  /** Where bars may start (right of the label column). */
  plotLeft: number;
  plotRight: number;
  axisY: number;
  todayX: number;
  warningEndX: number;
  ticks: TimelineTick[];
  rows: TimelineRow[];
  /** Certificates without an expiration date: listed next to the picture. */
  undated: string[];
}

export interface TimelineOptions {
  width?: number;
  labelWidth?: number;
  rowHeight?: number;
}

const TICK_STEPS_MONTHS = [1, 2, 3, 6, 12, 24, 60, 120];
const MAX_TICKS = 8;
const LABEL_CHARACTERS = 22;

function monthTicks(start: number, end: number): Array<{ time: number; label: string }> {
  const months = (end - start) / (30.44 * DAY_MS);
  const step = TICK_STEPS_MONTHS.find((candidate) => months / candidate <= MAX_TICKS) ?? 240;
  const first = new Date(start);
  // Months since year 0, rounded up to the step: ticks fall on round dates (quarters, Januaries…).
  let index = Math.ceil((first.getUTCFullYear() * 12 + first.getUTCMonth()) / step) * step;
  const ticks: Array<{ time: number; label: string }> = [];
  for (; ; index += step) {
    const time = Date.UTC(Math.floor(index / 12), index % 12, 1);
    if (time > end) break;
    if (time < start) continue;
    const month = String((index % 12) + 1).padStart(2, '0');
    ticks.push({
      time,
      label: step >= 12 ? String(Math.floor(index / 12)) : `${Math.floor(index / 12)}-${month}`,
    });
  }
  return ticks;
}

/** Lays out the timeline of `certificates` as seen at `now`. */
export function layoutTimeline(
  certificates: readonly TimelineCertificate[],
  now: Date,
  options: TimelineOptions = {},
): TimelineLayout {
  const width = options.width ?? 800;
  const labelWidth = options.labelWidth ?? 190;
  const rowHeight = options.rowHeight ?? 24;
  const axisY = 24;
  const plotLeft = labelWidth;
  const plotRight = width - 16;
  const today = now.getTime();

  const dated = certificates
    .filter((certificate) => daysUntil(certificate.expirationDate, now) !== undefined)
    .map((certificate) => ({ certificate, expires: Date.parse(certificate.expirationDate as string) }))
    .sort((a, b) => a.expires - b.expires || a.certificate.name.localeCompare(b.certificate.name));
  const undated = certificates
    .filter((certificate) => daysUntil(certificate.expirationDate, now) === undefined)
    .map((certificate) => certificate.name);

  // The axis always shows today and the warning band, and every expiry date with a margin.
  const earliest = Math.min(today, ...dated.map((entry) => entry.expires));
  const latest = Math.max(today + 2 * EXPIRY_WARNING_DAYS * DAY_MS, ...dated.map((entry) => entry.expires));
  const margin = Math.max((latest - earliest) * 0.05, 7 * DAY_MS);
  const start = earliest - margin;
  const end = latest + margin;
  const xOf = (time: number) => plotLeft + ((time - start) / (end - start)) * (plotRight - plotLeft);

  const rows = dated.map(({ certificate, expires }, index): TimelineRow => {
    const notBefore = certificate.notBefore ? Date.parse(certificate.notBefore) : Number.NaN;
    const barStart = Number.isNaN(notBefore) ? start : Math.max(start, Math.min(notBefore, expires));
    const days = daysUntil(certificate.expirationDate, now) as number;
    return {
      id: certificate.id,
      name: certificate.name,
      label:
        certificate.name.length > LABEL_CHARACTERS
          ? `${certificate.name.slice(0, LABEL_CHARACTERS - 1)}…`
          : certificate.name,
      y: axisY + 12 + index * rowHeight,
      barX: xOf(barStart),
      barWidth: Math.max(1, xOf(expires) - xOf(barStart)),
      clippedStart: Number.isNaN(notBefore) || notBefore < start,
      expiryX: xOf(expires),
      days,
      level: expiryLevel(days, certificate.status),
      expirationDate: new Date(expires).toISOString().slice(0, 10),
    };
  });

  return {
    width,
    height: axisY + 12 + Math.max(rows.length, 1) * rowHeight + 8,
    plotLeft,
    plotRight,
    axisY,
    todayX: xOf(today),
    warningEndX: xOf(today + EXPIRY_WARNING_DAYS * DAY_MS),
    ticks: monthTicks(start, end).map((tick) => ({ x: xOf(tick.time), label: tick.label })),
    rows,
    undated,
  };
}
