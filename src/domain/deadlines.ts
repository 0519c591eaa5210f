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
export const CLOSED_STATUSES: readonly RequestStatus[] = ['completed', 'cancelled'];

/** The statuses a request can be overdue in (every status but the closed ones). */
export const OPEN_STATUSES: readonly RequestStatus[] = ['pending', 'in_progress', 'failed'];
