// The request list as CSV for auditors (GET /v1/erasure-requests with Accept: text/csv): RFC 4180 (CRLF,
// quotes doubled, a header row), and safe to open in a spreadsheet: a cell that starts like a formula
// (= + - @, after any leading whitespace; or a tab, CR or LF) is prefixed with a single quote so it is
// shown, never evaluated. Spreadsheets in locales whose list separator is `;` split the line there, and
// honour quotes only at the start of a cell of theirs: a `"a;=1+2"` field becomes the cells `"a` and
// `=1+2"`. So a formula character right after a separator (`;`, `,`, tab, a line break) gets the quote
// too: `a;=1+2` is written `a;'=1+2`, whichever separator the spreadsheet uses.
import type { RequestCsvRow } from '../db/sql/list-request-csv-rows.ts';
import { TASK_STATES } from '../domain/types.ts';

export const CSV_MEDIA_TYPE = 'text/csv; charset=utf-8; header=present';

const COLUMNS = [
  'id',
  'tenant',
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
  'skipReasons',
] as const;

type CsvValue = string | number | boolean | null;

/** Starts like a formula: `= + - @` after optional whitespace (spreadsheets may trim it), or a control character. */
const FORMULA_START = /^(?:\s*[=+\-@]|[\t\r\n])/;
/** A formula character starting a cell in a spreadsheet that separates cells with `;`, `,` or tab. */
const FORMULA_AFTER_SEPARATOR = /([,;\t\r\n])(?=\s*[=+\-@])/g;
/** Characters that end a cell in some reading of the file: separators, quotes, line breaks. */
const MUST_QUOTE = /[",;\t\r\n]/;

/** One field, quoted when it must be, neutralised when a spreadsheet would run it. */
export function csvField(value: CsvValue): string {
  if (value === null) return '';
  let text = String(value);
  // Numbers and booleans are ours (counts, flags): a negative count stays a number.
  if (typeof value === 'string') {
    text = text.replace(FORMULA_AFTER_SEPARATOR, "$1'");
    if (FORMULA_START.test(text)) text = `'${text}`;
  }
  return MUST_QUOTE.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function rowValues(r: RequestCsvRow): CsvValue[] {
  return [
    r.id,
    r.tenant,
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
    r.targets,
    r.tasksByState.reduce((a, b) => a + b, 0),
    ...r.tasksByState,
    r.skipReasons,
  ];
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The header row; send it once, then `renderRequestsCsv(page, { header: false })` per page when streaming. */
export function requestsCsvHeader(): string {
  return csvLine(COLUMNS);
}

export function renderRequestsCsv(rows: readonly RequestCsvRow[], options: { header?: boolean } = {}): string {
  return (options.header ?? true ? requestsCsvHeader() : '') + rows.map((r) => csvLine(rowValues(r))).join('');
}
