// The per-tenant open-task quota (tenants.<name>.maxOpenTasks): a submit that would take the tenant over
// it is refused whole (429 quota-exceeded), writes nothing, and counts only the tenant's own requests;
// once requests are final their tasks no longer count; a replay of an accepted submit is still a replay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, countAllRows, expectProblem, PROBLEM, requestBody, type TestApp } from '../http/harness.ts';
import { TENANT_A, TENANT_KEYS, tenantsConfig } from '../tenancy/tenants.ts';

let database: TestDatabase;
let t: TestApp;
beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { config: tenantsConfig({ tenants: { [TENANT_A]: { maxOpenTasks: 10 } } }) });
});
afterAll(async () => {
  await t?.close();
  await database?.close();
});

/** n Cartesia calls: n tasks. */
const calls = (n: number, ref: string) =>
  requestBody({ externalRef: ref, targets: [{ type: 'cartesia.calls', connection: 'cartesia-prod', callIds: Array.from({ length: n }, (_, i) => `${ref}-call-${i}`) }] });

const submit = (key: string, body: Record<string, unknown>, idempotencyKey?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/erasure-requests',
    headers: { ...bearer(key), ...(idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey }) },
    payload: body,
  });

describe('tenants.<name>.maxOpenTasks', () => {
  it('refuses a submit over the quota with 429 quota-exceeded and writes no row', async () => {
    const first = await submit(TENANT_KEYS.a, calls(6, 'Q-1'), 'quota-first');
    expect(first.statusCode).toBe(202);
    const before = await countAllRows(database);
    const over = await submit(TENANT_KEYS.a2, calls(5, 'Q-2'), 'quota-second');
    expect(over.statusCode).toBe(429);
    const problem = expectProblem(over);
    expect(problem.type).toBe(PROBLEM('quota-exceeded'));
    expect(problem.detail).toContain('has 6 open tasks; this request adds 5, and at most 10');
    expect(await countAllRows(database)).toEqual(before);
    expect(await database.db.selectFrom('erasure_request').select('id').where('external_ref', '=', 'Q-2').execute()).toEqual([]);
    expect(await database.db.selectFrom('idempotency_key').select('key').where('key', '=', 'quota-second').execute()).toEqual([]);
    // Up to the quota exactly is fine.
    expect((await submit(TENANT_KEYS.a, calls(4, 'Q-3'))).statusCode).toBe(202);
    expect((await submit(TENANT_KEYS.a, calls(1, 'Q-4'))).statusCode).toBe(429);
  });

  it("answers a replay of an accepted submit with its first answer, quota or not", async () => {
    const replay = await submit(TENANT_KEYS.a, calls(6, 'Q-1'), 'quota-first');
    expect(replay.statusCode).toBe(202);
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it("counts each tenant's own requests only, with the default of 200,000 elsewhere", async () => {
    expect((await submit(TENANT_KEYS.b, calls(50, 'Q-B'))).statusCode).toBe(202);
  });

  it('counts a request until it is final: once one is, its tasks make room', async () => {
    const done = await database.db.selectFrom('erasure_request').select('id').where('external_ref', '=', 'Q-1').executeTakeFirstOrThrow();
    await database.db.updateTable('task').set({ state: 'succeeded', finished_at: t.clock.now() }).where('request_id', '=', done.id).execute();
    await database.db.updateTable('erasure_request').set({ status: 'completed', completed_at: t.clock.now() }).where('id', '=', done.id).execute();
    // The count read a moment ago said 10; a refusal reads it again, and finds 4.
    expect((await submit(TENANT_KEYS.a, calls(6, 'Q-5'))).statusCode).toBe(202);
    expect((await submit(TENANT_KEYS.a, calls(1, 'Q-6'))).statusCode).toBe(429);
  });
});
