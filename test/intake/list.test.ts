// Listing requests (newest first, cursor pages, filters) and a request's tasks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshRequestStatus } from '../../src/db/request-status.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, expectProblem, KEYS, requestBody, type TestApp } from '../http/harness.ts';

let database: TestDatabase;
let t: TestApp;
/** Ids of the requests made in beforeAll, oldest first. */
const created: string[] = [];

const list = (query: string, key: string = KEYS.reader) => t.app.inject({ method: 'GET', url: `/v1/erasure-requests${query}`, headers: bearer(key) });

beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { now: '2026-01-01T00:00:00.000Z' });
  // 23 requests one hour apart; every third shares an externalRef; two of them at the same instant.
  for (let i = 0; i < 23; i++) {
    if (i !== 12) t.clock.advance(3_600_000);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/erasure-requests',
      headers: bearer(KEYS.writer),
      payload: requestBody({ externalRef: i % 3 === 0 ? 'SHARED' : `REF-${i}`, regulation: i < 10 ? 'ccpa' : 'gdpr' }),
    });
    expect(res.statusCode).toBe(202);
    created.push(res.json().id);
  }
});
afterAll(async () => {
  await t?.close();
  await database?.close();
});

async function allPages(query: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const sep = query === '' ? '?' : '&';
    const res = await list(`${query === '' ? '' : `?${query}`}${cursor === null ? '' : `${sep}cursor=${encodeURIComponent(cursor)}`}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    ids.push(...body.data.map((r: { id: string }) => r.id));
    cursor = body.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 50);
  return ids;
}

describe('GET /v1/erasure-requests', () => {
  it('pages newest first with an opaque cursor, each request exactly once', async () => {
    const ids = await allPages('limit=5');
    expect(ids).toHaveLength(23);
    expect(new Set(ids).size).toBe(23);
    const rows = await database.db.selectFrom('erasure_request').select(['id', 'created_at']).execute();
    const createdAt = new Map(rows.map((r) => [r.id, r.created_at.getTime()]));
    const times = ids.map((id) => createdAt.get(id) as number);
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(ids[0]).toBe(created[22]);
  });

  it('defaults to 50 per page with nextCursor null on the last page, and honours limit', async () => {
    const all = await list('');
    expect(all.json().data).toHaveLength(23);
    expect(all.json().nextCursor).toBeNull();
    const two = await list('?limit=2');
    expect(two.json().data).toHaveLength(2);
    expect(typeof two.json().nextCursor).toBe('string');
  });

  it('filters by externalRef, status, creation time and overdue', async () => {
    expect(await allPages('externalRef=SHARED&limit=3')).toHaveLength(8);

    // One request completes: its tasks succeed and the stored status follows them.
    const done = created[0] as string;
    await database.db.transaction().execute(async (trx) => {
      await trx.updateTable('task').set({ state: 'succeeded', attempts: 1, finished_at: t.clock.now() }).where('request_id', '=', done).execute();
      await refreshRequestStatus(trx, done, t.clock.now());
    });
    const completed = await list('?status=completed');
    expect(completed.json().data.map((r: { id: string }) => r.id)).toEqual([done]);
    expect(completed.json().data[0].progress.succeeded).toBe(4);
    expect((await list('?status=pending')).json().data).toHaveLength(22);

    const after = await list('?createdAfter=2026-01-01T20:00:00Z');
    expect(after.json().data.length).toBeGreaterThan(0);
    expect(after.json().data.every((r: { createdAt: string }) => r.createdAt > '2026-01-01T20:00:00.000Z')).toBe(true);
    const window = await list('?createdAfter=2026-01-01T02:00:00Z&createdBefore=2026-01-01T05:00:00%2B00:00');
    expect(window.json().data.map((r: { createdAt: string }) => r.createdAt)).toEqual(['2026-01-01T04:00:00.000Z', '2026-01-01T03:00:00.000Z']);

    // Forty days on, the GDPR requests (one month) are overdue, the CCPA ones (45 days) not yet.
    t.clock.set('2026-02-10T00:00:00.000Z');
    const gdprLate = await list('?overdue=true&limit=100');
    expect(gdprLate.json().data).toHaveLength(13);
    expect(gdprLate.json().data.every((r: { regulation: string; overdue: boolean }) => r.regulation === 'gdpr' && r.overdue)).toBe(true);
    // Sixty days on, all are overdue but the completed one.
    t.clock.set('2026-03-02T00:00:00.000Z');
    const overdue = await allPages('overdue=true');
    expect(overdue).toHaveLength(22);
    expect(overdue).not.toContain(done);
    expect(await allPages('overdue=false')).toEqual([done]);
    const one = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${created[5]}`, headers: bearer(KEYS.reader) });
    expect(one.json().overdue).toBe(true);
  });

  it('is readable with audit:read, refused without a read scope', async () => {
    expect((await list('', KEYS.auditor)).statusCode).toBe(200);
    const res = await list('', KEYS.writeOnly);
    expect(res.statusCode).toBe(403);
    expectProblem(res);
  });
});

describe('GET /v1/erasure-requests/{id}/tasks', () => {
  it('lists tasks in seq order with their detail, a page at a time', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/erasure-requests',
      headers: bearer(KEYS.writer),
      payload: requestBody({
        externalRef: 'TASKS',
        targets: [
          { type: 'koreai.channel_user', connection: 'kore-support', cId: 'u-1', startDate: '2025-12-01', endDate: '2025-12-31' },
          { type: 'cartesia.calls', connection: 'cartesia-prod', callIds: ['a', 'b', 'c', 'd', 'e'] },
        ],
      }),
    });
    const id = res.json().id as string;
    const first = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/tasks?limit=4`, headers: bearer(KEYS.auditor) });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.data.map((task: { seq: number }) => task.seq)).toEqual([1, 2, 3, 4]);
    expect(page1.data[0]).toMatchObject({
      type: 'koreai.channel_user',
      targetIndex: 0,
      connection: 'kore-support',
      locator: { cId: 'u-1', startDate: '2025-12-01', endDate: '2025-12-31' },
      state: 'pending',
      phase: 'start',
      attempts: 0,
      lastError: null,
      upstreamRef: null,
      finishedAt: null,
    });
    expect(page1.data[1]).toMatchObject({ type: 'cartesia.call', targetIndex: 1, locator: { callId: 'a' } });
    const second = await t.app.inject({
      method: 'GET',
      url: `/v1/erasure-requests/${id}/tasks?limit=4&cursor=${page1.nextCursor}`,
      headers: bearer(KEYS.reader),
    });
    expect(second.json().data.map((task: { seq: number }) => task.seq)).toEqual([5, 6]);
    expect(second.json().nextCursor).toBeNull();
  });

  it('answers 404 for a request that does not exist', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests/00000000-0000-4000-8000-000000000000/tasks', headers: bearer(KEYS.reader) });
    expect(res.statusCode).toBe(404);
    expectProblem(res);
  });
});
