// Two portals and the auditors on one gateway: portal-b cannot see, change or even detect portal-a's
// requests; auditors read both and change neither; the callback URL (its token) is shown to nobody in
// full, and to no other tenant at all; the same Idempotency-Key used by both portals makes two requests.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueCallbackTask } from '../../src/db/tasks.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, expectProblem, requestBody, type TestApp } from '../http/harness.ts';
import { TENANT_A, TENANT_B, TENANT_KEYS, tenantsConfig } from './tenants.ts';

let database: TestDatabase;
let t: TestApp;
beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { config: tenantsConfig(), captureLogs: true });
});
afterAll(async () => {
  await t?.close();
  await database?.close();
});

const CALLBACK = 'https://portal.internal/cb?token=s3cr3t-portal-a-token';

async function submit(key: string, body: Record<string, unknown>, idempotencyKey?: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/erasure-requests',
    headers: { ...bearer(key), ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) },
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(202);
  return res;
}

/** Everything stored about one request: its row, its tasks, its trail. */
async function snapshot(id: string) {
  const { db } = database;
  return {
    request: await db.selectFrom('erasure_request').selectAll().where('id', '=', id).executeTakeFirstOrThrow(),
    tasks: await db.selectFrom('task').selectAll().where('request_id', '=', id).orderBy('seq').execute(),
    events: await db.selectFrom('request_event').selectAll().where('request_id', '=', id).orderBy('seq').execute(),
  };
}

/** portal-a's request with a failed task (so a retry would change it) and one still pending (so a cancel would). */
async function portalARequest(): Promise<string> {
  const res = await submit(TENANT_KEYS.a, requestBody({ externalRef: 'A-TICKET', callbackUrl: CALLBACK }));
  const id = res.json().id as string;
  const [first] = await database.db.selectFrom('task').select('id').where('request_id', '=', id).orderBy('seq').limit(1).execute();
  await database.db
    .updateTable('task')
    .set({ state: 'failed', attempts: 3, first_sent_at: t.clock.now(), finished_at: t.clock.now(), last_error: { kind: 'http', status: 400 } })
    .where('id', '=', first!.id)
    .execute();
  return id;
}

const ROUTES_BY_ID = [
  { method: 'GET', path: (id: string) => `/v1/erasure-requests/${id}` },
  { method: 'GET', path: (id: string) => `/v1/erasure-requests/${id}/tasks` },
  { method: 'GET', path: (id: string) => `/v1/erasure-requests/${id}/events` },
  { method: 'GET', path: (id: string) => `/v1/erasure-requests/${id}/events/verify` },
  { method: 'GET', path: (id: string) => `/v1/erasure-requests/${id}/evidence` },
  { method: 'POST', path: (id: string) => `/v1/erasure-requests/${id}/cancel` },
  { method: 'POST', path: (id: string) => `/v1/erasure-requests/${id}/retry` },
] as const;

describe('portal-b and portal-a on one gateway', () => {
  it("answers portal-b 404 on every route of portal-a's request — as for an id that does not exist — and changes nothing", async () => {
    const id = await portalARequest();
    const before = await snapshot(id);
    const missing = randomUUID();
    for (const route of ROUTES_BY_ID) {
      const foreign = await t.app.inject({ method: route.method, url: route.path(id), headers: bearer(TENANT_KEYS.b) });
      const absent = await t.app.inject({ method: route.method, url: route.path(missing), headers: bearer(TENANT_KEYS.b) });
      expect(foreign.statusCode, `${route.method} ${route.path('{id}')}`).toBe(404);
      const p = expectProblem(foreign);
      const q = expectProblem(absent);
      expect({ ...p, detail: p.detail.replace(id, '{id}'), instance: undefined, requestId: undefined }).toEqual({
        ...q,
        detail: q.detail.replace(missing, '{id}'),
        instance: undefined,
        requestId: undefined,
      });
      expect(foreign.body).not.toContain('A-TICKET');
    }
    expect(await snapshot(id)).toEqual(before);
    expect(before.events.map((e) => e.type)).not.toContain('request.cancelled');
  });

  it("keeps portal-a's requests out of portal-b's list, pages and CSV export", async () => {
    const a = await portalARequest();
    const b = (await submit(TENANT_KEYS.b, requestBody({ externalRef: 'B-TICKET' }))).json().id as string;
    const listB = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests?limit=100', headers: bearer(TENANT_KEYS.b) });
    const idsB = (listB.json().data as Array<{ id: string; tenant: string }>).map((r) => r.id);
    expect(idsB).toContain(b);
    expect(idsB).not.toContain(a);
    expect(new Set((listB.json().data as Array<{ tenant: string }>).map((r) => r.tenant))).toEqual(new Set([TENANT_B]));
    const byRef = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests?externalRef=A-TICKET', headers: bearer(TENANT_KEYS.b) });
    expect(byRef.json().data).toEqual([]);
    const csvB = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests', headers: { ...bearer(TENANT_KEYS.b), accept: 'text/csv' } });
    expect(csvB.statusCode).toBe(200);
    expect(csvB.body).toContain(b);
    expect(csvB.body).not.toContain(a);
    expect(csvB.body).not.toContain(TENANT_A);

    const listA = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests?limit=100', headers: bearer(TENANT_KEYS.a2) });
    const idsA = (listA.json().data as Array<{ id: string }>).map((r) => r.id);
    expect(idsA).toContain(a);
    expect(idsA).not.toContain(b);
  });

  it('lets the auditors read both tenants, with the tenant on every resource and CSV row, and change neither', async () => {
    const a = await portalARequest();
    const b = (await submit(TENANT_KEYS.b, requestBody({ externalRef: 'B-AUDITED' }))).json().id as string;
    for (const [id, tenant] of [[a, TENANT_A], [b, TENANT_B]] as const) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(TENANT_KEYS.auditor) });
      expect(res.statusCode).toBe(200);
      expect(res.json().tenant).toBe(tenant);
      for (const sub of ['tasks', 'events', 'events/verify', 'evidence']) {
        expect((await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/${sub}`, headers: bearer(TENANT_KEYS.auditor) })).statusCode, sub).toBe(200);
      }
    }
    const csv = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests', headers: { ...bearer(TENANT_KEYS.auditor), accept: 'text/csv' } });
    const rows = csv.body.trimEnd().split('\r\n');
    expect(rows[0]!.startsWith('id,tenant,')).toBe(true);
    expect(rows.find((r) => r.startsWith(a))?.split(',')[1]).toBe(TENANT_A);
    expect(rows.find((r) => r.startsWith(b))?.split(',')[1]).toBe(TENANT_B);

    const before = await snapshot(a);
    for (const action of ['cancel', 'retry']) {
      // audit:read only: the scope check refuses it before any request is looked up.
      const res = await t.app.inject({ method: 'POST', url: `/v1/erasure-requests/${a}/${action}`, headers: bearer(TENANT_KEYS.auditor) });
      expect(res.statusCode).toBe(403);
      // Reading across tenants never widens writes: an all-tenants key with erasure:write cannot either.
      const wide = await t.app.inject({ method: 'POST', url: `/v1/erasure-requests/${a}/${action}`, headers: bearer(TENANT_KEYS.allTenantsWriter) });
      expect(wide.statusCode).toBe(404);
    }
    expect(await snapshot(a)).toEqual(before);
    // Its own tenant's requests it may change (its tenant is its own name: ops-team).
    const own = (await submit(TENANT_KEYS.allTenantsWriter, requestBody())).json();
    expect(own.tenant).toBe('ops-team');
    expect((await t.app.inject({ method: 'POST', url: `/v1/erasure-requests/${own.id}/cancel`, headers: bearer(TENANT_KEYS.allTenantsWriter) })).statusCode).toBe(200);
  });

  it('makes two requests of one Idempotency-Key used by portal-a and by portal-b; two keys of portal-a share it', async () => {
    const body = requestBody({ externalRef: 'SAME-KEY' });
    const a = await submit(TENANT_KEYS.a, body, 'dsar-2026-0042');
    const b = await submit(TENANT_KEYS.b, body, 'dsar-2026-0042');
    expect(b.json().id).not.toBe(a.json().id);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect([a.json().tenant, b.json().tenant]).toEqual([TENANT_A, TENANT_B]);
    const rows = await database.db.selectFrom('erasure_request').select(['id', 'tenant']).where('external_ref', '=', 'SAME-KEY').orderBy('tenant').execute();
    expect(rows).toEqual([
      { id: a.json().id, tenant: TENANT_A },
      { id: b.json().id, tenant: TENANT_B },
    ]);
    const again = await submit(TENANT_KEYS.a2, body, 'dsar-2026-0042');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(a.json().id);
  });

  it('shows the callback URL only to the owning tenant, its query masked, on the request and its callback task', async () => {
    const id = await portalARequest();
    await database.db.transaction().execute((trx) => enqueueCallbackTask(trx, id, randomUUID(), t.clock.now()));
    const own = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(TENANT_KEYS.aReadOnly) });
    expect(own.json().callbackUrl).toBe('https://portal.internal/cb?…');
    const auditor = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(TENANT_KEYS.auditor) });
    expect(auditor.json().callbackUrl).toBeNull();

    const callbackTask = (body: string) => (JSON.parse(body).data as Array<{ type: string; locator: { url: string | null } }>).find((x) => x.type === 'callback');
    const ownTasks = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/tasks`, headers: bearer(TENANT_KEYS.aReadOnly) });
    expect(callbackTask(ownTasks.body)?.locator).toEqual({ url: 'https://portal.internal/cb?…' });
    const auditorTasks = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/tasks`, headers: bearer(TENANT_KEYS.auditor) });
    expect(callbackTask(auditorTasks.body)?.locator).toEqual({ url: null });

    for (const res of [own, auditor, ownTasks, auditorTasks]) expect(res.body).not.toContain('s3cr3t');
    expect(t.logs()).not.toContain('s3cr3t');
  });
});
