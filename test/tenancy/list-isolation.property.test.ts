// Property: whatever the filters, page size, representation (JSON pages or CSV exports) and cursor —
// even a cursor taken from another tenant's answer — a caller pages through exactly its own tenant's
// requests that match (every tenant's for the auditors): never a row of another tenant, none missed,
// none twice.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOverdue } from '../../src/domain/deadlines.ts';
import { REQUEST_STATUSES, type RequestStatus } from '../../src/domain/types.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, requestBody, type TestApp } from '../http/harness.ts';
import { TENANT_A, TENANT_B, TENANT_KEYS, tenantsConfig } from './tenants.ts';

let database: TestDatabase;
let t: TestApp;
type Row = { id: string; tenant: string; external_ref: string | null; status: RequestStatus; created_at: Date; due_at: Date };
let rows: Row[] = [];

const CALLERS = [
  { key: TENANT_KEYS.a, tenant: TENANT_A as string | null },
  { key: TENANT_KEYS.aReadOnly, tenant: TENANT_A as string | null },
  { key: TENANT_KEYS.b, tenant: TENANT_B as string | null },
  // allTenants: reads every tenant, like the auditors.
  { key: TENANT_KEYS.allTenantsWriter, tenant: null },
  { key: TENANT_KEYS.auditor, tenant: null },
];
const REFS = ['REF-1', 'REF-2', 'REF-3'];
const SUBMITTERS = [TENANT_KEYS.a, TENANT_KEYS.a2, TENANT_KEYS.b, TENANT_KEYS.allTenantsWriter];

beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { config: tenantsConfig() });
  // 48 requests over three tenants, the same external refs in each, some due already, some cancelled,
  // some made final; several created at the same instant (the cursor then orders by id).
  for (let i = 0; i < 48; i++) {
    if (i % 3 !== 0) t.clock.advance(60_000);
    const body = requestBody({ externalRef: REFS[i % REFS.length], ...(i % 5 === 0 ? { dueAt: '2026-03-01T00:00:00Z' } : {}) });
    const res = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: bearer(SUBMITTERS[i % SUBMITTERS.length]!), payload: body });
    expect(res.statusCode).toBe(202);
    const id = res.json().id as string;
    if (i % 7 === 0) await t.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/cancel`, headers: bearer(SUBMITTERS[i % SUBMITTERS.length]!) });
    if (i % 4 === 1) await database.db.updateTable('erasure_request').set({ status: 'completed', completed_at: t.clock.now() }).where('id', '=', id).execute();
  }
  rows = (await database.db.selectFrom('erasure_request').select(['id', 'tenant', 'external_ref', 'status', 'created_at', 'due_at']).execute()) as Row[];
}, 60_000);
afterAll(async () => {
  await t?.close();
  await database?.close();
});

type Filters = { status?: RequestStatus; externalRef?: string; overdue?: boolean; createdAfter?: string };

function expected(tenant: string | null, f: Filters): string[] {
  const now = t.clock.now();
  return rows
    .filter((r) => tenant === null || r.tenant === tenant)
    .filter((r) => f.status === undefined || r.status === f.status)
    .filter((r) => f.externalRef === undefined || r.external_ref === f.externalRef)
    .filter((r) => f.overdue === undefined || isOverdue({ dueAt: r.due_at, status: r.status }, now) === f.overdue)
    .filter((r) => f.createdAfter === undefined || r.created_at.getTime() > Date.parse(f.createdAfter))
    .sort((x, y) => y.created_at.getTime() - x.created_at.getTime() || (x.id < y.id ? 1 : -1))
    .map((r) => r.id);
}

function query(f: Filters, limit: number, cursor: string | null): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined) p.set(k, String(v));
  p.set('limit', String(limit));
  if (cursor !== null) p.set('cursor', cursor);
  return `/v1/erasure-requests?${p.toString()}`;
}

/** One page (JSON) or one export (CSV): the ids, their tenants, and the cursor that continues. */
async function fetchPage(key: string, csv: boolean, url: string): Promise<{ ids: string[]; tenants: string[]; next: string | null }> {
  const res = await t.app.inject({ method: 'GET', url, headers: { ...bearer(key), ...(csv ? { accept: 'text/csv' } : {}) } });
  expect(res.statusCode, res.body).toBe(200);
  if (csv) {
    const lines = res.body.trimEnd().split('\r\n').slice(1).filter((l) => l !== '');
    return { ids: lines.map((l) => l.split(',')[0]!), tenants: lines.map((l) => l.split(',')[1]!), next: (res.headers['next-cursor'] as string | undefined) ?? null };
  }
  const page = res.json() as { data: Array<{ id: string; tenant: string }>; nextCursor: string | null };
  return { ids: page.data.map((r) => r.id), tenants: page.data.map((r) => r.tenant), next: page.nextCursor };
}

const filters: fc.Arbitrary<Filters> = fc.record(
  {
    status: fc.constantFrom(...REQUEST_STATUSES),
    externalRef: fc.constantFrom(...REFS, 'REF-NONE'),
    overdue: fc.boolean(),
    createdAfter: fc.constantFrom('2026-03-10T12:05:00.000Z', '2026-03-10T12:20:00.000Z', '2026-03-10T12:40:00.000Z'),
  },
  { requiredKeys: [] },
);

describe('lists, CSV exports and cursors', () => {
  it('never return a row of another tenant, and return every own row once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CALLERS),
        filters,
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        fc.option(fc.constantFrom(...CALLERS), { nil: null }),
        async (caller, f, limit, csv, cursorFrom) => {
          // Optionally start from a cursor another caller was given: a position, never a way in.
          let start: string | null = null;
          if (cursorFrom !== null) start = (await fetchPage(cursorFrom.key, csv, query(f, limit, null))).next;
          const ids: string[] = [];
          const tenants: string[] = [];
          let cursor = start;
          for (let pages = 0; pages < 100; pages++) {
            const page = await fetchPage(caller.key, csv, query(f, limit, cursor));
            ids.push(...page.ids);
            tenants.push(...page.tenants);
            expect(page.ids.length).toBeLessThanOrEqual(limit);
            cursor = page.next;
            if (cursor === null) break;
          }
          if (caller.tenant !== null) expect(new Set(tenants).size <= 1 && tenants.every((x) => x === caller.tenant)).toBe(true);
          const all = expected(caller.tenant, f);
          if (start === null) expect(ids).toEqual(all);
          else {
            // After another's position: exactly the own rows that come after it.
            expect(ids).toEqual(all.slice(all.length - ids.length));
            for (const id of ids) expect(all).toContain(id);
          }
        },
      ),
      { numRuns: 120 },
    );
  }, 120_000);
});
