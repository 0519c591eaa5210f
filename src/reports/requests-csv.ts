// The request list as CSV for auditors (GET /v1/erasure-requests with Accept: text/csv): RFC 4180 (CRLF,
// quotes doubled, a header row), and safe to open in a spreadsheet: a cell that starts like a formula
// (= + - @, tab, CR) is prefixed with a single quote so it is shown, never evaluated.
import type { ErasureRequestResource } from '../domain/erasure-request.ts';
import { TASK_STATES } from '../domain/types.ts';

export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8; header=present';

const COLUMNS = [
  'id',
  'externalRef',
  'regulation',
  'status',
  'overdue',
  'createdAt',
  'updatedAt',
  'dueAt',
  'completedAt',
  'cancelledAt',
  'targets',
  'tasks',
  ...TASK_STATES.map((s) => `tasks_${s}`),
] as const;

type CsvValue = string | number | boolean | null;

/** One field, quoted when it must be, neutralised when a spreadsheet would run it. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function rowValues(r: ErasureRequestResource): CsvValue[] {
  const tasks = Object.values(r.progress).reduce((a, b) => a + b, 0);
  return [
    r.id,
    r.externalRef,
    r.regulation,
    r.status,
    r.overdue,
    r.createdAt,
    r.updatedAt,
    r.dueAt,
    r.completedAt,
    r.cancelledAt,
    // The callback URL is left out: a caller's token may sit in its query.
    r.targets.map((t) => `${t.type}@${t.connection}`).join(' '),
    tasks,
    ...TASK_STATES.map((s) => r.progress[s]),
  ];
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The header row; send it once, then `renderRequestsCsv(page, { header: false })` per page when streaming. */
export function requestsCsvHeader(): string {
  return csvLine(COLUMNS);
}

export function renderRequestsCsv(rows: readonly ErasureRequestResource[], options: { header?: boolean } = {}): string {
  return (options.header ?? true ? requestsCsvHeader() : '') + rows.map((r) => csvLine(rowValues(r))).join('');
}
