// Bearer API keys and scopes.
import { describe, expect, it } from 'vitest';
import { bearer, expectProblem, KEYS, PROBLEM, requestBody, type TestApp, useTestApp } from './harness.ts';

let t: TestApp;

useTestApp((app) => {
  t = app;
});

const submit = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers, payload: requestBody() });

describe('authentication', () => {
  it('answers 401 with WWW-Authenticate when the key is missing', async () => {
    const res = await submit({});
    expect(res.statusCode).toBe(401);
    expect(expectProblem(res).type).toBe(PROBLEM('unauthorized'));
    expect(res.headers['www-authenticate']).toBe('Bearer realm="erasure-gateway"');
  });

  it.each([
    ['an unknown key', bearer('egk_nobody_knows_this_key_at_all')],
    ['another scheme', { authorization: `Basic ${Buffer.from(`x:${KEYS.writer}`).toString('base64')}` }],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['the key without a scheme', { authorization: KEYS.writer }],
    ['a key in the wrong header', { 'x-api-key': KEYS.writer }],
  ])('answers 401 for %s', async (_name, headers) => {
    const res = await submit(headers);
    expect(res.statusCode).toBe(401);
    expect(expectProblem(res).type).toBe(PROBLEM('unauthorized'));
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="erasure-gateway"/);
  });

  it('accepts the scheme name in any case', async () => {
    expect((await submit({ authorization: `bearer ${KEYS.writer}` })).statusCode).toBe(202);
  });

  it('checks the key before the body: an unauthenticated bad body is still a 401', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', payload: '{not json', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('scopes', () => {
  it('answers 403 when the key lacks the scope, naming the scope needed', async () => {
    const res = await submit(bearer(KEYS.reader));
    expect(res.statusCode).toBe(403);
    const problem = expectProblem(res);
    expect(problem.type).toBe(PROBLEM('forbidden'));
    expect(problem.detail).toContain('erasure:write');
    expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('lets erasure:read and audit:read read a request and its tasks, but not a write-only key', async () => {
    const created = await submit(bearer(KEYS.writer));
    const url = created.headers.location as string;
    expect((await t.app.inject({ method: 'GET', url, headers: bearer(KEYS.reader) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url, headers: bearer(KEYS.auditor) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url, headers: bearer(KEYS.writeOnly) })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: `${url}/tasks`, headers: bearer(KEYS.auditor) })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `${url}/tasks`, headers: bearer(KEYS.writeOnly) })).statusCode).toBe(403);
  });

  it('leaves health, readiness, metrics and docs open', async () => {
    for (const url of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(400);
    }
  });
});
