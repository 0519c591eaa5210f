// The request list's filters as the console's form sends them (GET, so a filtered list is a link to
// share), mapped to the API's filters. Created dates are whole UTC days, inclusive at both ends; "due
// before" a day is due before that day begins (00:00 UTC), as the API's `dueBefore` instant.
import { z } from 'zod';
import type { RequestFilters } from '../db/requests.ts';
import type { ProblemIssue } from '../domain/errors.ts';
import { REQUEST_STATUSES } from '../domain/types.ts';

const DAY_MS = 86_400_000;

const day = z.iso.date('a date as YYYY-MM-DD');
const optional = <T extends z.ZodType>(schema: T) => z.union([z.literal('').transform(() => undefined), schema]).optional();

const listQuery = z.strictObject({
  status: optional(z.enum(REQUEST_STATUSES)),
  overdue: optional(z.enum(['true', 'false'])),
  createdFrom: optional(day),
  createdUntil: optional(day),
  externalRef: optional(z.string().max(200)),
  stalled: optional(z.enum(['true', 'false'])),
  dueBefore: optional(day),
  cursor: optional(z.string().max(500)),
});

/** The form's values as given (echoed into the form, escaped). */
export type ListForm = { status: string; overdue: string; createdFrom: string; createdUntil: string; externalRef: string; stalled: string; dueBefore: string };

export type ParsedListQuery =
  | { ok: true; form: ListForm; filters: RequestFilters; cursor: string | undefined }
  | { ok: false; form: ListForm; errors: ProblemIssue[] };

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function parseListQuery(raw: unknown): ParsedListQuery {
  const q = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const form: ListForm = {
    status: text(q.status),
    overdue: text(q.overdue),
    createdFrom: text(q.createdFrom),
    createdUntil: text(q.createdUntil),
    externalRef: text(q.externalRef).trim(),
    stalled: text(q.stalled),
    dueBefore: text(q.dueBefore),
  };
  const parsed = listQuery.safeParse({ ...q, ...(typeof q.externalRef === 'string' ? { externalRef: form.externalRef } : {}) });
  if (!parsed.success) {
    return { ok: false, form, errors: parsed.error.issues.map((i) => ({ path: i.path.join('.') || 'query', message: i.message })) };
  }
  const v = parsed.data;
  const filters: RequestFilters = {
    ...(v.status === undefined ? {} : { status: v.status }),
    ...(v.overdue === undefined ? {} : { overdue: v.overdue === 'true' }),
    ...(v.externalRef === undefined ? {} : { externalRef: v.externalRef }),
    ...(v.stalled === undefined ? {} : { stalled: v.stalled === 'true' }),
    ...(v.dueBefore === undefined ? {} : { dueBefore: new Date(Date.parse(v.dueBefore)) }),
    // The API's bounds are exclusive instants: "from day D" is after the last millisecond of D-1.
    ...(v.createdFrom === undefined ? {} : { createdAfter: new Date(Date.parse(v.createdFrom) - 1) }),
    ...(v.createdUntil === undefined ? {} : { createdBefore: new Date(Date.parse(v.createdUntil) + DAY_MS) }),
  };
  if (filters.createdAfter !== undefined && filters.createdBefore !== undefined && filters.createdAfter >= filters.createdBefore) {
    return { ok: false, form, errors: [{ path: 'createdUntil', message: 'the last day is before the first day' }] };
  }
  return { ok: true, form, filters, cursor: v.cursor };
}

/** The query string of the list with these filters (empty ones left out), plus any extra parameters. */
export function listQueryString(form: ListForm, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...form, ...extra })) if (v !== '') params.set(k, v);
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}
