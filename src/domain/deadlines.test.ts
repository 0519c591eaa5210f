import { describe, expect, it } from 'vitest';
import { addCalendarMonthsUtc, defaultDueAt, isOverdue, maxExtendedDueAt, refuseExtension } from './deadlines.ts';

describe('deadlines', () => {
  it('gives GDPR one calendar month, clamped to the end of a shorter month', () => {
    expect(defaultDueAt('gdpr', new Date('2026-03-10T12:00:00Z')).toISOString()).toBe('2026-04-10T12:00:00.000Z');
    expect(defaultDueAt('gdpr', new Date('2026-01-31T08:00:00Z')).toISOString()).toBe('2026-02-28T08:00:00.000Z');
    expect(addCalendarMonthsUtc(new Date('2028-01-31T00:00:00Z'), 1).toISOString()).toBe('2028-02-29T00:00:00.000Z');
    expect(defaultDueAt('gdpr', new Date('2026-12-15T00:00:00Z')).toISOString()).toBe('2027-01-15T00:00:00.000Z');
  });
  it('gives CCPA 45 days and anything else 30 days', () => {
    expect(defaultDueAt('ccpa', new Date('2026-03-10T12:00:00Z')).toISOString()).toBe('2026-04-24T12:00:00.000Z');
    expect(defaultDueAt('other', new Date('2026-03-10T12:00:00Z')).toISOString()).toBe('2026-04-09T12:00:00.000Z');
  });
  it('is overdue only past the deadline and while not completed or cancelled', () => {
    const dueAt = new Date('2026-03-10T00:00:00Z');
    const later = new Date('2026-03-11T00:00:00Z');
    expect(isOverdue({ dueAt, status: 'in_progress' }, later)).toBe(true);
    expect(isOverdue({ dueAt, status: 'failed' }, later)).toBe(true);
    expect(isOverdue({ dueAt, status: 'completed' }, later)).toBe(false);
    expect(isOverdue({ dueAt, status: 'cancelled' }, later)).toBe(false);
    expect(isOverdue({ dueAt, status: 'pending' }, new Date('2026-03-09T00:00:00Z'))).toBe(false);
  });
});

describe('the extension rule', () => {
  const createdAt = new Date('2026-01-31T08:00:00Z');
  const base = { regulation: 'gdpr' as const, createdAt, dueAt: new Date('2026-02-28T08:00:00Z'), extended: false, final: false, now: new Date('2026-02-10T00:00:00Z'), otherMaxDays: 90 };
  it('allows GDPR up to three calendar months from creation (clamped to the month end), CCPA 90 days, other its configured days', () => {
    expect(maxExtendedDueAt('gdpr', createdAt, 90).toISOString()).toBe('2026-04-30T08:00:00.000Z');
    expect(maxExtendedDueAt('ccpa', createdAt, 90).toISOString()).toBe('2026-05-01T08:00:00.000Z');
    expect(maxExtendedDueAt('other', createdAt, 60).toISOString()).toBe('2026-04-01T08:00:00.000Z');
    expect(refuseExtension({ ...base, newDueAt: new Date('2026-04-30T08:00:00Z') })).toBeNull();
    expect(refuseExtension({ ...base, newDueAt: new Date('2026-04-30T08:00:01Z') })?.rule).toBe('regulation_limit');
  });
  it('names the rule it refuses', () => {
    const newDueAt = new Date('2026-03-31T00:00:00Z');
    expect(refuseExtension({ ...base, newDueAt, extended: true })?.rule).toBe('once');
    expect(refuseExtension({ ...base, newDueAt, final: true })?.rule).toBe('final');
    expect(refuseExtension({ ...base, newDueAt, now: new Date('2026-02-28T08:00:00Z') })?.rule).toBe('after_due_date');
    expect(refuseExtension({ ...base, newDueAt: new Date('2026-02-20T00:00:00Z') })?.rule).toBe('not_later');
  });
});
