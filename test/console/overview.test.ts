// The overview's numbers, on rows whose answer is known: requests by status, overdue and due soon, failed
// tasks per connection, received and finished per UTC day over 90 days, the median time to an erasure
// verdict per connection; and the sandbox's demo requests are made only on an empty database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenTaskQuota } from '../../src/services/open-task-quota.ts';
import { readOverview } from '../../src/reports/overview.ts';
import { seedSandboxDemo } from '../../src/sandbox-demo.ts';
import { manualClock, randomIds } from '../../src/clock.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { Caller } from '../../src/domain/caller.ts';
import { PORTAL_TENANT, seedRequest } from '../audit/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { testConfig } from '../http/harness.ts';

let database: TestDatabase;
const NOW = new Date('2026-03-10T12:00:00.000Z');
const at = (iso: string) => new Date(iso);
const plus = (d: Date, seconds: number) => new Date(d.getTime() + seconds * 1000);
/** Reads every tenant (the seeded requests are all the portal's). */
const AUDITORS: Caller = { name: 'auditors', tenant: 'auditors', allTenants: true, scopes: ['audit:read'] };
const PORTAL: Caller = { name: 'portal', tenant: PORTAL_TENANT, allTenants: false, scopes: ['erasure:read'] };
const OTHER_TENANT: Caller = { name: 'portal-b', tenant: 'portal-b', allTenants: false, scopes: ['erasure:read', 'audit:read'] };

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  const a = at('2026-03-10T08:00:00.000Z');
  await seedRequest(db, {
    externalRef: 'A',
    createdAt: a,
    status: 'completed',
    completedAt: at('2026-03-10T09:00:00.000Z'),
    tasks: [
      { state: 'succeeded', finishedAt: plus(a, 60) },
      { state: 'not_found', finishedAt: plus(a, 180) },
      { type: 'koreai.recording', connection: 'kore-support', state: 'succeeded', finishedAt: plus(a, 3600) },
    ],
  });
  await seedRequest(db, {
    externalRef: 'B',
    createdAt: at('2026-03-09T10:00:00.000Z'),
    status: 'failed',
    completedAt: at('2026-03-10T10:00:00.000Z'),
    dueAt: at('2026-03-09T12:00:00.000Z'),
    tasks: [
      { type: 'koreai.recording', connection: 'kore-support', state: 'failed', finishedAt: at('2026-03-09T11:00:00.000Z') },
      { type: 'callback', connection: null, state: 'failed', finishedAt: at('2026-03-10T10:00:00.000Z') },
    ],
  });
  await seedRequest(db, { externalRef: 'C', createdAt: at('2026-03-01T10:00:00.000Z'), status: 'in_progress', dueAt: at('2026-03-12T00:00:00.000Z'), tasks: [{ state: 'pending' }] });
  // Older than the 90 days: counted by status, in no chart.
  await seedRequest(db, {
    externalRef: 'D',
    createdAt: at('2025-11-01T10:00:00.000Z'),
    status: 'completed',
    completedAt: at('2025-11-02T10:00:00.000Z'),
    tasks: [{ state: 'succeeded', finishedAt: at('2025-11-02T10:00:00.000Z') }],
  });
  // Past its due date but cancelled: not overdue.
  await seedRequest(db, { externalRef: 'E', createdAt: at('2026-03-10T11:00:00.000Z'), status: 'cancelled', dueAt: at('2026-03-01T00:00:00.000Z'), tasks: [{ state: 'cancelled' }] });
});
afterAll(async () => {
  await database?.close();
});

describe('the overview', () => {
  it('counts requests by status, the overdue and those due within 7 days', async () => {
    const o = await readOverview(database.db, NOW, AUDITORS);
    expect(o.byStatus).toEqual({ pending: 0, in_progress: 1, completed: 2, completed_with_exceptions: 0, failed: 1, cancelled: 1 });
    expect(o.total).toBe(5);
    expect(o.overdue).toBe(1);
    expect(o.dueSoon).toBe(1);
    expect(o.failedTasksByConnection).toEqual([
      { connection: 'kore-support', count: 1 },
      { connection: null, count: 1 },
    ]);
  });

  it('has one entry per UTC day of the last 90 days, received and finished', async () => {
    const { daily } = await readOverview(database.db, NOW, AUDITORS);
    expect(daily).toHaveLength(90);
    expect(daily[0]?.day).toBe('2025-12-11');
    expect(daily.at(-1)).toEqual({ day: '2026-03-10', received: 2, finished: 2 });
    expect(daily.find((d) => d.day === '2026-03-09')).toEqual({ day: '2026-03-09', received: 1, finished: 0 });
    expect(daily.find((d) => d.day === '2026-03-01')).toEqual({ day: '2026-03-01', received: 1, finished: 0 });
    expect(daily.reduce((n, d) => n + d.received, 0)).toBe(4);
    expect(daily.reduce((n, d) => n + d.finished, 0)).toBe(2);
  });

  it('takes the median time to an erasure verdict per connection, over verdicts of the last 90 days only', async () => {
    const { medianByConnection } = await readOverview(database.db, NOW, AUDITORS);
    expect(medianByConnection).toEqual([
      { connection: 'cartesia-prod', tasks: 2, medianSeconds: 120 },
      { connection: 'kore-support', tasks: 1, medianSeconds: 3600 },
    ]);
  });
});

describe('the overview of a tenant-scoped key', () => {
  it('counts its own tenant\'s requests as an allTenants key does when they are all its tenant\'s', async () => {
    const [own, all] = await Promise.all([readOverview(database.db, NOW, PORTAL), readOverview(database.db, NOW, AUDITORS)]);
    expect(own).toEqual(all);
  });

  it('counts nothing of another tenant: no request, no failed task, no day, no median', async () => {
    const o = await readOverview(database.db, NOW, OTHER_TENANT);
    expect(o.total).toBe(0);
    expect(o.byStatus).toEqual({ pending: 0, in_progress: 0, completed: 0, completed_with_exceptions: 0, failed: 0, cancelled: 0 });
    expect([o.overdue, o.dueSoon]).toEqual([0, 0]);
    expect(o.failedTasksByConnection).toEqual([]);
    expect(o.medianByConnection).toEqual([]);
    expect(o.daily.every((d) => d.received === 0 && d.finished === 0)).toBe(true);
  });
});

describe('the sandbox demo requests', () => {
  it('are not made when the database already has requests', async () => {
    const config = testConfig();
    // The simulators are never reached: a database with requests stops it first.
    const made = await seedSandboxDemo(
      { config, database, clock: manualClock(), ids: randomIds, metrics: createMetrics({ defaultMetrics: false }), openTaskQuota: createOpenTaskQuota(database.db, manualClock()) },
      { simulators: {} as never },
    );
    expect(made).toEqual([]);
    expect((await readOverview(database.db, NOW, AUDITORS)).total).toBe(5);
  });
});
