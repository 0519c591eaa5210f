// What the gateway logs about a request: enough to trace it, nothing personal or secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, requestBody, type TestApp } from './harness.ts';

let database: TestDatabase;
let t: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { captureLogs: true });
});
afterAll(async () => {
  await t?.close();
  await database?.close();
});

const EMAIL = 'Private.Person@Example.org';
const PHONE = '+44 20 7946 0958';

describe('logs', () => {
  it('carry the request id and route but never subject values, the body or the API key', async () => {
    const subject = { email: EMAIL, phone: PHONE, name: 'Pat Private', userId: 'user-secret-77' };
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/v1/erasure-requests',
      headers: { ...bearer(KEYS.writer), 'x-request-id': 'trace-accepted-1', 'idempotency-key': 'log-test-key' },
      payload: requestBody({ subject, externalRef: 'LOG-1' }),
    });
    expect(accepted.statusCode).toBe(202);
    const refused = await t.app.inject({
      method: 'POST',
      url: `/v1/erasure-requests?email=${encodeURIComponent(EMAIL)}`,
      headers: { ...bearer(KEYS.writer), 'x-request-id': 'trace-refused-1' },
      payload: requestBody({ subject: { ...subject, phone: 'not a phone number at all' } }),
    });
    expect(refused.statusCode).toBe(400);
    const unauthorised = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests', headers: bearer('egk_wrong_key_that_must_not_leak') });
    expect(unauthorised.statusCode).toBe(401);

    const logs = t.logs();
    expect(logs).toContain('"requestId":"trace-accepted-1"');
    expect(logs).toContain('"route":"/v1/erasure-requests"');
    expect(logs).toContain('"requestId":"trace-refused-1"');
    for (const secret of [EMAIL, EMAIL.toLowerCase(), PHONE, '442079460958', 'Pat Private', 'user-secret-77', KEYS.writer, 'egk_wrong_key_that_must_not_leak', 'log-test-key', 'Bearer']) {
      expect(logs, `log output contains ${secret}`).not.toContain(secret);
    }
  });
});
