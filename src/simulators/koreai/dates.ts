const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const DAY_MS = 86_400_000;

/**
 * Kore's table says `YYYY-MM-DD`, its sample sends full ISO timestamps: both are accepted. A bare day
 * covers the whole day (inclusive), so as an end it means the day's last millisecond.
 */
export function parseKoreaiDate(value: unknown, edge: 'start' | 'end'): number | null {
  if (typeof value !== 'string') return null;
  if (DAY_ONLY.test(value)) {
    const start = Date.parse(`${value}T00:00:00.000Z`);
    if (Number.isNaN(start) || utcDay(start) !== value) return null;
    return edge === 'start' ? start : start + DAY_MS - 1;
  }
  if (!TIMESTAMP.test(value)) return null;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? null : parsed;
}

export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export { DAY_MS };
