// When an erasure request is due, unless the caller says: GDPR Art. 12(3) gives one calendar month,
// CCPA §1798.130 45 days; anything else gets 30 days.
import type { Regulation, RequestStatus } from './types.ts';

export const DEFAULT_DEADLINES = {
  gdpr: { months: 1 },
  ccpa: { days: 45 },
  other: { days: 30 },
} as const satisfies Record<Regulation, { months: number } | { days: number }>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Adds calendar months in UTC; a day that does not exist in the target month becomes that month's last
 * day (31 January + 1 month = 28/29 February), so the deadline never spills into the month after.
 */
export function addCalendarMonthsUtc(from: Date, months: number): Date {
  const year = from.getUTCFullYear();
  const month = from.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(from.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(year, month, day, from.getUTCHours(), from.getUTCMinutes(), from.getUTCSeconds(), from.getUTCMilliseconds()),
  );
}

export function defaultDueAt(regulation: Regulation, createdAt: Date): Date {
  const rule: { months: number } | { days: number } = DEFAULT_DEADLINES[regulation];
  if ('months' in rule) return addCalendarMonthsUtc(createdAt, rule.months);
  return new Date(createdAt.getTime() + rule.days * DAY_MS);
}

/** Overdue: the deadline has passed and the request has not reached an outcome that closes it. */
export function isOverdue(request: { dueAt: Date; status: RequestStatus }, now: Date): boolean {
  return request.dueAt.getTime() < now.getTime() && !CLOSED_STATUSES.includes(request.status);
}

/** Statuses that stop the deadline clock (a failed request is still owed to the subject). */
export const CLOSED_STATUSES: readonly RequestStatus[] = ['completed', 'completed_with_exceptions', 'cancelled'];

/** The statuses a request can be overdue in (every status but the closed ones). */
export const OPEN_STATUSES: readonly RequestStatus[] = ['pending', 'in_progress', 'failed'];

/**
 * The latest due date one extension may set, counted from the request's creation: GDPR Art. 12(3) allows
 * two further months (three calendar months in all), CCPA §1798.130(a)(2) 45 further days (90 in all);
 * anything else `deadlines.otherMaxDays` (config, default 90).
 */
export function maxExtendedDueAt(regulation: Regulation, createdAt: Date, otherMaxDays: number): Date {
  switch (regulation) {
    case 'gdpr':
      return addCalendarMonthsUtc(createdAt, 3);
    case 'ccpa':
      return new Date(createdAt.getTime() + 90 * DAY_MS);
    case 'other':
      return new Date(createdAt.getTime() + otherMaxDays * DAY_MS);
  }
}

/** Which rule an extension breaks (the `rule` of the 422 `extension-not-allowed`). */
export type ExtensionRefusal =
  | { rule: 'once'; message: string }
  | { rule: 'final'; message: string }
  | { rule: 'after_due_date'; message: string }
  | { rule: 'not_later'; message: string }
  | { rule: 'regulation_limit'; message: string; maxDueAt: string };

export type ExtensionCheck = {
  regulation: Regulation;
  createdAt: Date;
  dueAt: Date;
  /** The request already had its one extension. */
  extended: boolean;
  /** Every task is final (completedAt set) or the request is cancelled. */
  final: boolean;
  newDueAt: Date;
  now: Date;
  otherMaxDays: number;
};

/**
 * The extension rule (docs/DESIGN.md, "Deadlines"): once per request, not for a final one, only while the
 * original due date has not passed (the person must be told within the first period), to a later date no
 * later than the regulation allows. Null: allowed.
 */
export function refuseExtension(c: ExtensionCheck): ExtensionRefusal | null {
  if (c.extended) return { rule: 'once', message: 'The request was extended already; a request is extended once.' };
  if (c.final) return { rule: 'final', message: 'The request is final; a final request is not extended.' };
  if (c.dueAt.getTime() <= c.now.getTime()) {
    return { rule: 'after_due_date', message: `The original due date ${c.dueAt.toISOString()} has passed; an extension must be made before it.` };
  }
  if (c.newDueAt.getTime() <= c.dueAt.getTime()) {
    return { rule: 'not_later', message: `The new due date must be later than the current one (${c.dueAt.toISOString()}).` };
  }
  const max = maxExtendedDueAt(c.regulation, c.createdAt, c.otherMaxDays);
  if (c.newDueAt.getTime() > max.getTime()) {
    const limit = c.regulation === 'gdpr' ? 'three calendar months' : c.regulation === 'ccpa' ? '90 days' : `${c.otherMaxDays} days (deadlines.otherMaxDays)`;
    return {
      rule: 'regulation_limit',
      message: `A ${c.regulation} request may be extended to at most ${limit} after it was made: ${max.toISOString()}.`,
      maxDueAt: max.toISOString(),
    };
  }
  return null;
}
