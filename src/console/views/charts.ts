// Charts as server-side SVG: no script, no inline style (colours come from classes in console.css), each
// with a title and description for screen readers, and the numbers in a table beside it.
import { html, type Html } from '../html.ts';
import type { DailyActivity } from '../../reports/overview.ts';
import type { ConnectionDuration } from '../../db/overview.ts';
import { duration } from './format.ts';

const W = 900;
const H = 240;
const PAD = { left: 44, right: 12, top: 12, bottom: 28 };

/** A round upper bound for an axis: 1, 2, 5 × 10^n. */
function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max) ?? 10 * p;
}

export function dailyActivityChart(days: readonly DailyActivity[], id: string): Html {
  const max = niceMax(Math.max(...days.map((d) => Math.max(d.received, d.finished)), 0));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (days.length <= 1 ? 0 : (i * innerW) / (days.length - 1));
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const line = (pick: (d: DailyActivity) => number) => days.map((d, i) => `${x(i).toFixed(1)},${y(pick(d)).toFixed(1)}`).join(' ');
  const ticks = [0, max / 2, max];
  const labelled = [0, Math.floor((days.length - 1) / 2), days.length - 1].filter((i, k, a) => a.indexOf(i) === k && days[i] !== undefined);
  const received = days.reduce((a, d) => a + d.received, 0);
  const finished = days.reduce((a, d) => a + d.finished, 0);
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="${id}-title ${id}-desc">
  <title id="${id}-title">Requests received and finished per day</title>
  <desc id="${id}-desc">${days.length} days from ${days[0]?.day ?? ''} to ${days.at(-1)?.day ?? ''}: ${received} received, ${finished} finished.</desc>
  ${ticks.map((t) => html`<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(t)}" y2="${y(t)}"></line>
  <text class="axis" x="${PAD.left - 6}" y="${y(t) + 4}" text-anchor="end">${Number.isInteger(t) ? t : t.toFixed(1)}</text>`)}
  ${labelled.map((i) => html`<text class="axis" x="${x(i)}" y="${H - 8}" text-anchor="${i === 0 ? 'start' : i === days.length - 1 ? 'end' : 'middle'}">${days[i]!.day}</text>`)}
  <polyline class="series-received" points="${line((d) => d.received)}"></polyline>
  <polyline class="series-finished" points="${line((d) => d.finished)}"></polyline>
</svg>
<p class="legend"><span class="key key-received"></span> received <span class="key key-finished"></span> finished (reached a final status)</p>`;
}

export function medianDurationChart(rows: readonly ConnectionDuration[], id: string): Html {
  const barH = 26;
  const labelW = 180;
  const height = rows.length * (barH + 10) + 10;
  const max = Math.max(...rows.map((r) => r.medianSeconds), 0.001);
  const width = (s: number) => Math.max(2, ((W - labelW - 140) * s) / max);
  return html`<svg class="chart" viewBox="0 0 ${W} ${height}" role="img" aria-labelledby="${id}-title">
  <title id="${id}-title">Median time from request to erasure verdict, per connection</title>
  ${rows.map((r, i) => {
    const top = 10 + i * (barH + 10);
    return html`<text class="label" x="${labelW - 8}" y="${top + barH / 2 + 5}" text-anchor="end">${r.connection}</text>
  <rect class="bar" x="${labelW}" y="${top}" width="${width(r.medianSeconds).toFixed(1)}" height="${barH}"></rect>
  <text class="value" x="${labelW + width(r.medianSeconds) + 8}" y="${top + barH / 2 + 5}">${duration(r.medianSeconds)} (${r.tasks} tasks)</text>`;
  })}
</svg>`;
}
