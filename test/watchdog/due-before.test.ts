// ?dueBefore= lists the open requests that must be finished by then (overdue ones included; completed and
// cancelled ones never), in the list's order and cursor pages, within the caller's tenant;
// erasure_gateway_requests_due_within{window="7d"} counts the open ones due in the next 7 days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWatchdogGauges } from '../../src/reports/watchdog-gauges.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { insertRequest } from '../engine/helpers.ts';
import { bearer, buildTestApp, KEYS, requestBody, type TestApp } from '../http/harness.ts';

const DAY = 86_400_000;
let database: TestDatabase;
let t: TestApp;
const due: Record<string, string> = {};

const list = (query: string, key: string = KEYS.reader) => t.app.inject({ method: 'GET', url: `/v1/erasure-requests?${query}`, headers: bearer(key) });
const inDays = (days: number) => new Date(t.clock.now().getTime() + days * DAY).toISOString();

beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { now: '2026-03-10T12:00:00.000Z' });
  registerWatchdogGauges(t.deps.metrics.registry, database.db, t.clock, { minIntervalMs: 0 });
  for (const [name, days] of [['in2', 2], ['in3', 3], ['in5', 5], ['in10', 10], ['cancelledIn3', 3]] as const) {
    t.clock.advance(60_000);
    const res = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: bearer(KEYS.writer), payload: requestBody({ externalRef: name, dueAt: inDays(days) }) });
    expect(res.statusCode).toBe(202);
    due[name] = res.json().id;
  }
  const cancel = await t.app.inject({ method: 'POST', url: `/v1/erasure-requests/${due.cancelledIn3}/cancel`, headers: bearer(KEYS.writer) });
  expect(cancel.statusCode).toBe(200);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

describe('?dueBefore=', () => {
  it('lists the open requests due before the instant, newest first, across cursor pages; not the cancelled one', async () => {
    const before = inDays(7);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(`dueBefore=${encodeURIComponent(before)}&limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`);
      expect(res.statusCode).toBe(200);
      ids.push(...res.json().data.map((r: { id: string }) => r.id));
      cursor = res.json().nextCursor;
    } while (cursor !== null);
    expect(ids).toEqual([due.in5, due.in3, due.in2]);
  });

  it('includes a request once it is overdue, and combines with the other filters', async () => {
    t.clock.advance(4 * DAY); // in2 and in3 are overdue now
    const res = await list(`dueBefore=${encodeURIComponent(inDays(2))}&overdue=false`);
    expect(res.json().data.map((r: { id: string }) => r.id)).toEqual([due.in5]);
    const all = await list(`dueBefore=${encodeURIComponent(inDays(2))}`);
    expect(all.json().data.map((r: { id: string }) => r.id)).toEqual([due.in5, due.in3, due.in2]);
  });

  it('keeps to the caller\'s tenant', async () => {
    const other = await insertRequest(database.db, [{ type: 'cartesia.call', connection: 'cartesia-prod', locator: { callId: 'other-tenant-call' } }], { tenant: 'another-tenant' });
    await database.db.updateTable('erasure_request').set({ due_at: new Date(inDays(1)) }).where('id', '=', other).execute();
    const q = `dueBefore=${encodeURIComponent(inDays(30))}`;
    const ids = async (key: string) => ((await list(q, key)).json().data as Array<{ id: string }>).map((r) => r.id);
    expect(await ids(KEYS.reader)).toEqual([due.in10, due.in5, due.in3, due.in2]);
    expect(await ids(KEYS.auditor)).toContain(other); // an allTenants key reads every tenant
  });

  it('refuses a dueBefore that is not a date-time with a 400 problem', async () => {
    const res = await list('dueBefore=next-week');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ status: 400 });
  });
});

it('erasure_gateway_requests_due_within{window="7d"}: open requests due in the next 7 days, not the overdue or the cancelled', async () => {
  // Now 4 days on: in2, in3 overdue; in5 due in 1 day; in10 in 6 days; another tenant's in 1 day (the
  // gauge counts every tenant); the cancelled one not counted.
  const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  expect(text).toContain('erasure_gateway_requests_due_within{window="7d"} 3');
});
