// Liveness, readiness, metrics and the docs.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { buildOperationsApp } from '../../src/app.ts';
import { createDatabase } from '../../src/db/database.ts';
import type { TestDatabase } from '../helpers/db.ts';
import { bearer, expectProblem, KEYS, PROBLEM, requestBody, type TestApp, buildTestApp, useTestApp } from './harness.ts';

let database: TestDatabase;
let t: TestApp;

useTestApp((app, db) => {
  t = app;
  database = db;
});

describe('operations endpoints', () => {
  it('/healthz answers 200', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 when the database answers and is migrated', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
  });

  it('/readyz answers 503 problem while a migration is not applied, naming it only on the operations listener', async () => {
    const [latest] = await database.db
      .selectFrom('kysely_migration' as never)
      .select(sql<string>`name`.as('name'))
      .orderBy(sql`name`, 'desc')
      .limit(1)
      .execute();
    // Only the migrating role may write the migrator's table (TEST_DB_ROLES=split): as a superuser.
    await sql`delete from kysely_migration where name = ${latest?.name}`.execute(database.admin.db);
    const ops = await buildOperationsApp(t.deps);
    try {
      const res = await t.app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(expectProblem(res).detail).toBe('The database schema is not up to date: migrations are not applied yet.');
      expect(res.body).not.toContain(latest?.name as string);
      const detailed = await ops.inject({ method: 'GET', url: '/readyz' });
      expect(detailed.statusCode).toBe(503);
      expect(expectProblem(detailed).detail).toContain(latest?.name as string);
    } finally {
      await ops.close();
      await sql`insert into kysely_migration (name, timestamp) values (${latest?.name}, ${new Date().toISOString()})`.execute(database.admin.db);
    }
  });

  it('/readyz and the API answer 503 problem when the database is unreachable', async () => {
    const down = createDatabase('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const broken = await buildTestApp(down);
    try {
      const ready = await broken.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(503);
      expect(expectProblem(ready).type).toBe(PROBLEM('service-unavailable'));
      const list = await broken.app.inject({ method: 'GET', url: '/v1/erasure-requests', headers: bearer(KEYS.reader) });
      expect(list.statusCode).toBe(503);
      expect(list.headers['retry-after']).toBe('5');
      expect((await broken.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await broken.close();
      await down.close();
    }
  });

  it('/metrics exposes Prometheus text, including API latency by route and accepted requests', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: bearer(KEYS.writer), payload: requestBody() });
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('gateway_http_request_duration_seconds_count{method="POST",route="/v1/erasure-requests",status="202"} 1');
    expect(res.body).toContain('gateway_erasure_requests_created_total{regulation="gdpr"} 1');
  });

  it('serves the interactive docs and the OpenAPI document', async () => {
    const docs = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(docs.statusCode).toBeLessThan(400);
    const doc = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(doc.statusCode).toBe(200);
    expect(doc.json().openapi).toBe('3.1.0');
    expect(Object.keys(doc.json().paths)).toContain('/v1/erasure-requests/{id}/tasks');
  });
});
