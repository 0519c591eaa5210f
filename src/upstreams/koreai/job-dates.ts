// The date range of a channel-user deletion job, as Kore.ai is sent it. The docs' table says `YYYY-MM-DD`,
// the docs' sample sends `…T00:00:00.000Z` / `…T23:59:59.999Z`; a tenant that reads a bare end date as that
// day's midnight silently leaves the whole last day out and still reports `completed`. So the range is
// normalised per connection (`dateFormat`): `datetime` (the default) sends whole-day bounds for days and
// timestamps as given (in UTC); `date` sends days. No end means now: the range is fixed when the job is
// submitted, so the evidence says exactly what was asked for.

export type KoreaiDateFormat = 'datetime' | 'date';
export type JobRange = { startDate?: string; endDate: string };

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const day = (d: Date) => d.toISOString().slice(0, 10);

function bound(value: string, side: 'start' | 'end', format: KoreaiDateFormat): string {
  if (DATE_ONLY.test(value)) {
    if (format === 'date') return value;
    return side === 'start' ? `${value}T00:00:00.000Z` : `${value}T23:59:59.999Z`;
  }
  const at = new Date(value);
  // Intake has checked it is a date; anything else is sent as given and Kore.ai refuses it.
  if (Number.isNaN(at.getTime())) return value;
  return format === 'date' ? day(at) : at.toISOString();
}

export function channelUserRange(locator: { startDate?: unknown; endDate?: unknown }, format: KoreaiDateFormat, now: Date): JobRange {
  const range: JobRange = {
    endDate: typeof locator.endDate === 'string' ? bound(locator.endDate, 'end', format) : format === 'date' ? day(now) : now.toISOString(),
  };
  if (typeof locator.startDate === 'string') range.startDate = bound(locator.startDate, 'start', format);
  return range;
}
