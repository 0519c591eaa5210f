// The per-key write limit (apiKeys[].rateLimit.perMinute): every POST under /v1 counts, reads do not;
// over the limit a key gets 429 `rate-limited` with Retry-After, before its body is even read, and
// other keys are not affected. The bucket refills at perMinute/60 a second (the app runs on a manual clock).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/http/plugins/auth.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, countAllRows, expectProblem, KEYS, PROBLEM, requestBody, testConfig, testConfigFile, type TestApp } from '../http/harness.ts';

const LIMITED = 'egk_rate_limited_key_0123456789ab';

let database: TestDatabase;
let t: TestApp;
beforeAll(async () => {
  database = await createTestDatabase();
  const keys = testConfigFile().apiKeys as Array<Record<string, unknown>>;
  const config = testConfig({
    apiKeys: [...keys, { name: 'limited', sha256: sha256Hex(LIMITED), scopes: ['erasure:write', 'erasure:read'], tenant: 'privacy-portal', rateLimit: { perMinute: 6 } }],
  });
  t = await buildTestApp(database, { config });
});
afterAll(async () => {
  await t?.close();
  await database?.close();
});

const submit = (key: string, payload: unknown = requestBody()) =>
  t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: bearer(key), payload: payload as Record<string, unknown> });

describe('apiKeys[].rateLimit', () => {
  it('allows perMinute writes at once, then answers 429 rate-limited with Retry-After, writing nothing', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await submit(LIMITED)).statusCode);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202]);
    const before = await countAllRows(database);
    const refused = await submit(LIMITED);
    expect(refused.statusCode).toBe(429);
    const problem = expectProblem(refused);
    expect(problem.type).toBe(PROBLEM('rate-limited'));
    expect(problem.detail).toContain('6 writes a minute');
    // One write every 10 s refills the bucket: the next is allowed 10 s after the sixth.
    expect(refused.headers['retry-after']).toBe('10');
    expect(await countAllRows(database)).toEqual(before);
  });

  it('counts cancel and retry too, and refuses before reading the body; reads are not counted', async () => {
    // Still empty from the test above (same clock instant).
    const cancel = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests/00000000-0000-4000-8000-000000000000/cancel', headers: bearer(LIMITED) });
    expect(cancel.statusCode).toBe(429);
    const garbage = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: { ...bearer(LIMITED), 'content-type': 'application/json' }, payload: '{not json' });
    expect(garbage.statusCode).toBe(429);
    const read = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests', headers: bearer(LIMITED) });
    expect(read.statusCode).toBe(200);
  });

  it('leaves every other key its own bucket', async () => {
    expect((await submit(KEYS.writer)).statusCode).toBe(202);
  });

  it('refills at perMinute a minute: one write after 10 s, six after a minute, never more than six at once', async () => {
    t.clock.advance(9_000);
    expect((await submit(LIMITED)).statusCode).toBe(429);
    t.clock.advance(1_000);
    expect((await submit(LIMITED)).statusCode).toBe(202);
    expect((await submit(LIMITED)).statusCode).toBe(429);
    t.clock.advance(10 * 60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await submit(LIMITED)).statusCode);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 202, 429]);
  });

  it('defaults to 600 writes a minute', async () => {
    const keyConfig = t.deps.config.file.apiKeys.find((k) => k.name === 'portal');
    expect(keyConfig?.rateLimit).toEqual({ perMinute: 600 });
  });
});
