/**
 * The account's expiry dates as a picture: an SVG with one bar per certificate up to its expiry date,
 * today's line and the 30-day warning band. Each bar links to its certificate; the picture has a text
 * summary for screen readers.
 */
import { describeExpiry, EXPIRY_WARNING_DAYS } from '../lib/expiry.js';
import { routeHref } from '../lib/route.js';
import { layoutTimeline, type TimelineCertificate } from '../lib/timeline-layout.js';

export function ExpiryTimeline({
  certificates,
  now,
}: {
  certificates: readonly TimelineCertificate[];
  now: Date;
}) {
  const layout = layoutTimeline(certificates, now);
  const soonest = layout.rows.find((row) => row.level !== 'expired');
  const expired = layout.rows.filter((row) => row.level === 'expired').length;
  const summary =
    layout.rows.length === 0
      ? 'No certificate with an expiry date.'
      : `${layout.rows.length} certificates by expiry date. ${expired} expired. ` +
        (soonest ? `Next to expire: ${soonest.name} on ${soonest.expirationDate}.` : '');
  return (
    <figure class="timeline">
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        aria-labelledby="timeline-title timeline-summary"
        data-testid="expiry-timeline"
      >
        <title id="timeline-title">Expiry timeline</title>
        <desc id="timeline-summary">{summary}</desc>
        <rect
          class="timeline-warning"
          x={layout.todayX}
          y={layout.axisY}
          width={Math.max(0, layout.warningEndX - layout.todayX)}
          height={layout.height - layout.axisY}
        />
        {layout.ticks.map((tick) => (
          <g key={tick.label} class="timeline-tick">
            <line x1={tick.x} x2={tick.x} y1={layout.axisY - 4} y2={layout.height} />
            <text x={tick.x} y={layout.axisY - 8} text-anchor="middle">
              {tick.label}
            </text>
          </g>
        ))}
        <line
          class="timeline-axis"
          x1={layout.plotLeft}
          x2={layout.plotRight}
          y1={layout.axisY}
          y2={layout.axisY}
        />
        {layout.rows.map((row) => {
          const label = `${row.name}: expires ${row.expirationDate} (${describeExpiry(row.days)})`;
          const textRight = row.expiryX < layout.plotRight - 90;
          return (
            <a key={row.id} href={routeHref({ page: 'certificate', id: String(row.id) })} aria-label={label}>
              <g class={`timeline-row level-${row.level}`}>
                <title>{label}</title>
                <text class="timeline-label" x={layout.plotLeft - 8} y={row.y + 4} text-anchor="end">
                  {row.label}
                </text>
                <rect
                  class="timeline-bar"
                  x={row.barX}
                  y={row.y - 5}
                  width={row.barWidth}
                  height={10}
                  rx={3}
                />
                <circle class="timeline-end" cx={row.expiryX} cy={row.y} r={6} />
                <text
                  class="timeline-days"
                  x={textRight ? row.expiryX + 10 : row.expiryX - 10}
                  y={row.y + 4}
                  text-anchor={textRight ? 'start' : 'end'}
                >
                  {row.expirationDate}
                </text>
              </g>
            </a>
          );
        })}
        <line
          class="timeline-today"
          x1={layout.todayX}
          x2={layout.todayX}
          y1={layout.axisY - 2}
          y2={layout.height}
        />
        <text class="timeline-today-label" x={layout.todayX + 4} y={layout.height - 4}>
          today
        </text>
      </svg>
      <figcaption>
        Bars run from the start of each certificate's validity to its expiry date. The shaded band is the next{' '}
        {EXPIRY_WARNING_DAYS} days.
        {layout.undated.length > 0 ? ` No expiry date known for: ${layout.undated.join(', ')}.` : ''}
      </figcaption>
    </figure>
  );
}
