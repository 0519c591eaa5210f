// Every route × every kind of caller → the status a user gets: the owner of the request, a key of
// another tenant, the all-tenants auditors, a key of the owner's tenant without the route's scope, and no
// key at all; plus an all-tenants key holding erasure:write (reads across tenants never widen writes).
// Each case acts on a request of its own, so writes do not disturb the next case.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, requestBody, type TestApp } from '../http/harness.ts';
import { TENANT_KEYS, tenantsConfig } from './tenants.ts';

let database: TestDatabase;
let t: TestApp;
beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { config: tenantsConfig() });
});
afterAll(async () => {
  await t?.close();
  await database?.close();
});

type CallerKind = 'owner' | 'otherTenant' | 'auditor' | 'noScope' | 'noKey' | 'allTenantsWriter';

type RouteCase = {
  name: string;
  method: 'GET' | 'POST';
  /** The path for a request id and one of its tasks (ignored by routes that take none). */
  path: (id: string, taskId: string) => string;
  /** The body a POST sends (default: a submit's). */
  body?: Record<string, unknown>;
  accept?: string;
  /** The request it acts on: pending, or with a failed task (so that a retry has something to do). */
  needs: 'pending' | 'failed' | 'none';
  /** A key of the owner's tenant that lacks the route's scope (null: a public route). */
  noScopeKey: string | null;
  expected: Record<CallerKind, number>;
};

const write = { noScopeKey: TENANT_KEYS.aReadOnly } as const;
/** erasure:write is not enough for an operator action. */
const operate = { noScopeKey: TENANT_KEYS.aWriteOnly } as const;
const read = { noScopeKey: TENANT_KEYS.aWriteOnly } as const;
const audit = { noScopeKey: TENANT_KEYS.aReadOnly } as const;
const byId = (suffix: string) => (id: string) => `/v1/erasure-requests/${id}${suffix}`;

const ROUTES: RouteCase[] = [
  { name: 'POST /v1/erasure-requests', method: 'POST', path: () => '/v1/erasure-requests', needs: 'none', ...write,
    expected: { owner: 202, otherTenant: 202, auditor: 403, noScope: 403, noKey: 401, allTenantsWriter: 202 } },
  { name: 'GET /v1/erasure-requests', method: 'GET', path: () => '/v1/erasure-requests', needs: 'pending', ...read,
    expected: { owner: 200, otherTenant: 200, auditor: 200, noScope: 403, noKey: 401, allTenantsWriter: 200 } },
  { name: 'GET /v1/erasure-requests (CSV)', method: 'GET', path: () => '/v1/erasure-requests', accept: 'text/csv', needs: 'pending', ...read,
    expected: { owner: 200, otherTenant: 200, auditor: 200, noScope: 403, noKey: 401, allTenantsWriter: 200 } },
  { name: 'GET /v1/erasure-requests/{id}', method: 'GET', path: byId(''), needs: 'pending', ...read,
    expected: { owner: 200, otherTenant: 404, auditor: 200, noScope: 403, noKey: 401, allTenantsWriter: 200 } },
  { name: 'GET /v1/erasure-requests/{id}/tasks', method: 'GET', path: byId('/tasks'), needs: 'pending', ...read,
    expected: { owner: 200, otherTenant: 404, auditor: 200, noScope: 403, noKey: 401, allTenantsWriter: 200 } },
  { name: 'GET /v1/erasure-requests/{id}/events', method: 'GET', path: byId('/events'), needs: 'pending', ...audit,
    expected: { owner: 200, otherTenant: 404, auditor: 200, noScope: 403, noKey: 401, allTenantsWriter: 200 } },
  { name: 'GET /v1/erasure-requests/{id}/events/verify', method: 'GET', path: byId('/events/verify'), needs: 'pending', ...audit,
    expected: { owner: 200, otherTenant: 404, auditor: 200, noScope: 403, noKey: 401, allTenantsWriter: 200 } },
  { name: 'GET /v1/erasure-requests/{id}/evidence', method: 'GET', path: byId('/evidence'), needs: 'pending', ...audit,
    expected: { owner: 200, otherTenant: 404, auditor: 200, noScope: 403, noKey: 401, allTenantsWriter: 200 } },
  { name: 'POST /v1/erasure-requests/{id}/cancel', method: 'POST', path: byId('/cancel'), needs: 'pending', ...write,
    expected: { owner: 200, otherTenant: 404, auditor: 403, noScope: 403, noKey: 401, allTenantsWriter: 404 } },
  { name: 'POST /v1/erasure-requests/{id}/retry', method: 'POST', path: byId('/retry'), needs: 'failed', ...write,
    expected: { owner: 202, otherTenant: 404, auditor: 403, noScope: 403, noKey: 401, allTenantsWriter: 404 } },
  { name: 'POST /v1/erasure-requests/{id}/tasks/{taskId}/skip', method: 'POST', path: (id, task) => `/v1/erasure-requests/${id}/tasks/${task}/skip`,
    needs: 'failed', body: { reason: 'duplicate' }, ...operate,
    expected: { owner: 200, otherTenant: 404, auditor: 403, noScope: 403, noKey: 401, allTenantsWriter: 404 } },
  { name: 'POST /v1/erasure-requests/{id}/tasks/{taskId}/resolve', method: 'POST', path: (id, task) => `/v1/erasure-requests/${id}/tasks/${task}/resolve`,
    needs: 'failed', body: { reference: 'T-1' }, ...operate,
    expected: { owner: 200, otherTenant: 404, auditor: 403, noScope: 403, noKey: 401, allTenantsWriter: 404 } },
  { name: 'POST /v1/erasure-requests/{id}/extend', method: 'POST', path: byId('/extend'), needs: 'pending',
    body: { dueAt: '2026-04-20T12:00:00.000Z', reason: 'complex request' }, ...operate,
    expected: { owner: 200, otherTenant: 404, auditor: 403, noScope: 403, noKey: 401, allTenantsWriter: 404 } },
  // Matches only the caller's own tenant's failed tasks: another tenant's key re-drives nothing of portal-a's.
  { name: 'POST /v1/tasks/retry', method: 'POST', path: () => '/v1/tasks/retry', needs: 'failed', body: { filter: {} }, ...operate,
    expected: { owner: 200, otherTenant: 200, auditor: 403, noScope: 403, noKey: 401, allTenantsWriter: 200 } },
  ...['/.well-known/jwks.json', '/healthz', '/readyz', '/metrics', '/openapi.json'].map(
    (path): RouteCase => ({ name: `GET ${path}`, method: 'GET', path: () => path, needs: 'none', noScopeKey: null,
      expected: { owner: 200, otherTenant: 200, auditor: 200, noScope: 200, noKey: 200, allTenantsWriter: 200 } }),
  ),
];

const KEY_OF: Record<Exclude<CallerKind, 'noScope'>, string | null> = {
  owner: TENANT_KEYS.a,
  otherTenant: TENANT_KEYS.b,
  auditor: TENANT_KEYS.auditor,
  noKey: null,
  allTenantsWriter: TENANT_KEYS.allTenantsWriter,
};

/** A request of portal-a, as the case needs it. */
async function requestOfPortalA(needs: RouteCase['needs']): Promise<{ id: string; taskId: string }> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: bearer(TENANT_KEYS.a), payload: requestBody() });
  expect(res.statusCode).toBe(202);
  const id = res.json().id as string;
  if (needs === 'failed') {
    const now = t.clock.now();
    await database.db.updateTable('task').set({ state: 'failed', attempts: 1, first_sent_at: now, finished_at: now }).where('request_id', '=', id).execute();
    await database.db.updateTable('erasure_request').set({ status: 'failed', completed_at: now }).where('id', '=', id).execute();
  }
  const task = await database.db.selectFrom('task').select('id').where('request_id', '=', id).orderBy('seq').executeTakeFirstOrThrow();
  return { id, taskId: task.id };
}

const CASES = ROUTES.flatMap((route) =>
  (Object.keys(route.expected) as CallerKind[]).map((caller) => ({ route, caller, expected: route.expected[caller] })),
);

describe('who may call each route', () => {
  it.each(CASES)('$route.name as $caller → $expected', async ({ route, caller, expected }) => {
    const { id, taskId } = route.needs === 'none' ? { id: randomUUID(), taskId: randomUUID() } : await requestOfPortalA(route.needs);
    const key = caller === 'noScope' ? route.noScopeKey : KEY_OF[caller];
    const res = await t.app.inject({
      method: route.method,
      url: route.path(id, taskId),
      headers: { ...(key === null ? {} : bearer(key)), ...(route.accept === undefined ? {} : { accept: route.accept }) },
      ...(route.body !== undefined ? { payload: route.body } : route.method === 'POST' && route.needs === 'none' ? { payload: requestBody() } : {}),
    });
    expect(res.statusCode, res.body.slice(0, 300)).toBe(expected);
    // A list answers 200 to everyone allowed; what it holds is the tenant rule.
    if (route.path('x', 'y') === '/v1/erasure-requests' && expected === 200) {
      const seesPortalA = caller === 'owner' || caller === 'auditor' || caller === 'allTenantsWriter';
      expect(res.body.includes(id), `${caller} ${seesPortalA ? 'sees' : 'does not see'} portal-a's request`).toBe(seesPortalA);
    }
  });
});
