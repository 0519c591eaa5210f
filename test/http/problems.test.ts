// Bad input of every kind gets a clear 4xx problem+json with a stable type — never a 5xx — and writes nothing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../helpers/db.ts';
import { bearer, countAllRows, expectProblem, KEYS, PROBLEM, requestBody, type TestApp, useTestApp } from './harness.ts';

let database: TestDatabase;
let t: TestApp;

useTestApp((app, db) => {
  t = app;
  database = db;
});

const target = (extra: Record<string, unknown> = {}) => ({ type: 'koreai.recordings', connection: 'kore-support', sessionIds: ['s-1'], ...extra });
const ids = (n: number) => Array.from({ length: n }, (_, i) => `id-${i}`);

type Case = { name: string; payload?: string | object; contentType?: string; headers?: Record<string, string>; status: number; kind: string; path?: string };

const bodyCases: Case[] = [
  { name: 'not JSON', payload: '{"regulation": "gdpr",', contentType: 'application/json', status: 400, kind: 'invalid-json' },
  { name: 'empty body declared as JSON', payload: '', contentType: 'application/json', status: 400, kind: 'invalid-json' },
  { name: 'text/plain', payload: 'erase everything', contentType: 'text/plain', status: 415, kind: 'unsupported-media-type' },
  { name: 'form-encoded', payload: 'regulation=gdpr', contentType: 'application/x-www-form-urlencoded', status: 415, kind: 'unsupported-media-type' },
  { name: 'a JSON array', payload: '[]', contentType: 'application/json', status: 400, kind: 'validation' },
  { name: 'JSON null', payload: 'null', contentType: 'application/json', status: 400, kind: 'validation' },
  { name: 'prototype pollution', payload: '{"__proto__": {"x": 1}, "regulation": "gdpr"}', contentType: 'application/json', status: 400, kind: 'invalid-json' },
  { name: 'empty targets', payload: requestBody({ targets: [] }), status: 400, kind: 'validation', path: 'body.targets' },
  { name: 'missing targets', payload: { regulation: 'gdpr' }, status: 400, kind: 'validation', path: 'body.targets' },
  { name: 'unknown top-level field', payload: requestBody({ priority: 'high' }), status: 400, kind: 'validation', path: 'body' },
  { name: 'unknown target field', payload: requestBody({ targets: [target({ force: true })] }), status: 400, kind: 'validation', path: 'body.targets.0' },
  { name: 'unknown target type', payload: requestBody({ targets: [{ type: 'koreai.everything', connection: 'kore-support' }] }), status: 400, kind: 'validation' },
  { name: 'regulation of the wrong type', payload: requestBody({ regulation: 5 }), status: 400, kind: 'validation', path: 'body.regulation' },
  { name: 'unknown regulation', payload: requestBody({ regulation: 'hipaa' }), status: 400, kind: 'validation', path: 'body.regulation' },
  { name: 'targets not an array', payload: requestBody({ targets: 'all' }), status: 400, kind: 'validation', path: 'body.targets' },
  { name: 'numeric ids', payload: requestBody({ targets: [target({ sessionIds: [1, 2] })] }), status: 400, kind: 'validation', path: 'body.targets.0.sessionIds.0' },
  { name: 'empty id', payload: requestBody({ targets: [target({ sessionIds: [''] })] }), status: 400, kind: 'validation' },
  { name: 'more than 50 targets', payload: requestBody({ targets: Array.from({ length: 51 }, () => target()) }), status: 400, kind: 'validation', path: 'body.targets' },
  { name: 'more than 10000 conversation ids', payload: requestBody({ targets: [{ type: 'koreai.conversations', connection: 'kore-support', conversationIds: ids(10_001) }] }), status: 400, kind: 'validation' },
  { name: 'more than 1000 session ids', payload: requestBody({ targets: [target({ sessionIds: ids(1001) })] }), status: 400, kind: 'validation' },
  { name: 'duplicate ids', payload: requestBody({ targets: [target({ sessionIds: ['s-1', 's-2', 's-1'] })] }), status: 400, kind: 'validation', path: 'body.targets.0.sessionIds.2' },
  { name: 'impossible date', payload: requestBody({ targets: [{ type: 'koreai.channel_user', connection: 'kore-support', cId: 'u', startDate: '2026-02-30' }] }), status: 400, kind: 'validation' },
  { name: 'date in another format', payload: requestBody({ targets: [{ type: 'koreai.channel_user', connection: 'kore-support', cId: 'u', startDate: '01/02/2026' }] }), status: 400, kind: 'validation' },
  { name: 'endDate before startDate', payload: requestBody({ targets: [{ type: 'koreai.channel_user', connection: 'kore-support', cId: 'u', startDate: '2026-02-01', endDate: '2026-01-01' }] }), status: 400, kind: 'validation', path: 'body.targets.0.endDate' },
  { name: 'endDate in the future', payload: requestBody({ targets: [{ type: 'koreai.channel_user', connection: 'kore-support', cId: 'u', endDate: '2027-01-01' }] }), status: 400, kind: 'validation', path: 'body.targets.0.endDate' },
  { name: 'dueAt not a date-time', payload: requestBody({ dueAt: 'next week' }), status: 400, kind: 'validation', path: 'body.dueAt' },
  { name: 'externalRef too long', payload: requestBody({ externalRef: 'x'.repeat(201) }), status: 400, kind: 'validation', path: 'body.externalRef' },
  { name: 'empty subject', payload: requestBody({ subject: {} }), status: 400, kind: 'validation', path: 'body.subject' },
  { name: 'unknown subject field', payload: requestBody({ subject: { email: 'a@example.com', ssn: '123' } }), status: 400, kind: 'validation', path: 'body.subject' },
  { name: 'invalid e-mail', payload: requestBody({ subject: { email: 'not-an-email' } }), status: 400, kind: 'validation', path: 'body.subject.email' },
  { name: 'invalid phone', payload: requestBody({ subject: { phone: 'call me' } }), status: 400, kind: 'validation', path: 'body.subject.phone' },
  { name: 'callbackUrl not a URL', payload: requestBody({ callbackUrl: 'portal.internal/hook' }), status: 400, kind: 'validation', path: 'body.callbackUrl' },
  { name: 'plain http callback', payload: requestBody({ callbackUrl: 'http://portal.internal/hook' }), status: 400, kind: 'validation', path: 'body.callbackUrl' },
  { name: 'callback with credentials', payload: requestBody({ callbackUrl: 'https://u:p@portal.internal/hook' }), status: 400, kind: 'validation', path: 'body.callbackUrl' },
  { name: 'callback host not allowed', payload: requestBody({ callbackUrl: 'https://attacker.test/hook' }), status: 422, kind: 'callback-host-not-allowed', path: 'body.callbackUrl' },
  { name: 'callback to a private address', payload: requestBody({ callbackUrl: 'https://169.254.169.254/latest' }), status: 422, kind: 'callback-host-not-allowed' },
  { name: 'callback to a port not allowed', payload: requestBody({ callbackUrl: 'https://portal.internal:6379/hook' }), status: 422, kind: 'callback-host-not-allowed', path: 'body.callbackUrl' },
  { name: 'unknown connection', payload: requestBody({ targets: [target({ connection: 'nowhere' })] }), status: 422, kind: 'unknown-connection', path: 'body.targets.0.connection' },
  { name: 'huge body', payload: requestBody({ externalRef: 'x'.repeat(1024 * 1024 + 10) }), status: 413, kind: 'payload-too-large' },
  { name: 'bad Idempotency-Key', payload: requestBody(), headers: { 'idempotency-key': 'x'.repeat(300) }, status: 400, kind: 'validation', path: 'headers.idempotency-key' },
];

describe('POST /v1/erasure-requests with bad input', () => {
  it.each(bodyCases)('$name → $status $kind', async (c) => {
    const before = await countAllRows(database);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/erasure-requests',
      headers: { ...bearer(KEYS.writer), ...(c.contentType === undefined ? {} : { 'content-type': c.contentType }), ...c.headers },
      payload: c.payload as string,
    });
    expect(res.statusCode).toBe(c.status);
    const problem = expectProblem(res);
    expect(problem.type).toBe(PROBLEM(c.kind));
    expect(problem.instance).toBe('/v1/erasure-requests');
    expect(problem.requestId).toBe(res.headers['x-request-id']);
    if (c.path !== undefined) expect(problem.errors?.map((e) => e.path)).toContain(c.path);
    expect(await countAllRows(database)).toEqual(before);
  });

  it('names each unknown field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: bearer(KEYS.writer), payload: requestBody({ priority: 1 }) });
    expect(expectProblem(res).errors).toEqual([{ path: 'body', message: 'unknown field(s): priority' }]);
  });

  it('never answers 5xx to arbitrary JSON', async () => {
    const jsonBody = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ regulation: fc.constantFrom('gdpr', 'ccpa', 'x'), targets: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }) }, { requiredKeys: [] }),
      fc.record({
        regulation: fc.constant('gdpr'),
        targets: fc.array(
          fc.record({
            type: fc.constantFrom('koreai.conversations', 'koreai.channel_user', 'koreai.recordings', 'cartesia.calls'),
            connection: fc.constantFrom('kore-support', 'cartesia-prod', 'x'),
            conversationIds: fc.array(fc.string(), { maxLength: 3 }),
            sessionIds: fc.array(fc.string(), { maxLength: 3 }),
            callIds: fc.array(fc.string(), { maxLength: 3 }),
            cId: fc.string(),
            startDate: fc.oneof(fc.string(), fc.constant('2026-01-01')),
            endDate: fc.oneof(fc.string(), fc.constant('2026-01-02T00:00:00Z')),
          }, { requiredKeys: ['type', 'connection'] }),
          { maxLength: 2 },
        ),
        subject: fc.option(fc.dictionary(fc.constantFrom('email', 'phone', 'userId', 'name', 'x'), fc.string()), { nil: undefined }),
        dueAt: fc.option(fc.string(), { nil: undefined }),
        callbackUrl: fc.option(fc.webUrl(), { nil: undefined }),
      }, { requiredKeys: ['regulation', 'targets'] }),
    );
    await fc.assert(
      fc.asyncProperty(jsonBody, async (body) => {
        const res = await t.app.inject({
          method: 'POST',
          url: '/v1/erasure-requests',
          headers: { ...bearer(KEYS.writer), 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        expect(res.statusCode).toBeLessThan(500);
        if (res.statusCode !== 202) expectProblem(res);
      }),
      { numRuns: 150 },
    );
  });
});

const getCases: { name: string; url: string; method?: 'GET' | 'DELETE' | 'PUT' | 'PATCH'; status: number; kind: string; path?: string }[] = [
  { name: 'id that is not a uuid', url: '/v1/erasure-requests/123', status: 404, kind: 'not-found' },
  { name: 'id with SQL in it', url: `/v1/erasure-requests/${encodeURIComponent("1' or '1'='1")}`, status: 404, kind: 'not-found' },
  { name: 'tasks of a non-uuid id', url: '/v1/erasure-requests/not-a-uuid/tasks', status: 404, kind: 'not-found' },
  { name: 'unknown request', url: '/v1/erasure-requests/3f1d6a9c-0000-4000-8000-000000000000', status: 404, kind: 'not-found' },
  { name: 'unknown route', url: '/v1/nothing-here', status: 404, kind: 'not-found' },
  { name: 'unknown version', url: '/v2/erasure-requests', status: 404, kind: 'not-found' },
  { name: 'wrong method', url: '/v1/erasure-requests', method: 'DELETE', status: 405, kind: 'method-not-allowed' },
  { name: 'wrong method on an item', url: '/v1/erasure-requests/3f1d6a9c-0000-4000-8000-000000000000', method: 'PUT', status: 405, kind: 'method-not-allowed' },
  { name: 'garbage cursor', url: '/v1/erasure-requests?cursor=garbage', status: 400, kind: 'validation', path: 'query.cursor' },
  { name: 'cursor of another list', url: `/v1/erasure-requests?cursor=${Buffer.from('{"s":3}').toString('base64url')}`, status: 400, kind: 'validation', path: 'query.cursor' },
  { name: 'garbage task cursor', url: '/v1/erasure-requests/3f1d6a9c-0000-4000-8000-000000000000/tasks?cursor=%7B%7D', status: 400, kind: 'validation', path: 'query.cursor' },
  { name: 'limit 0', url: '/v1/erasure-requests?limit=0', status: 400, kind: 'validation', path: 'query.limit' },
  // Up to 100,000 for the CSV export; a JSON page of more than 100 is answered as 100 (test/audit/audit-routes.test.ts).
  { name: 'limit 100,001', url: '/v1/erasure-requests?limit=100001', status: 400, kind: 'validation', path: 'query.limit' },
  { name: 'task limit 1001', url: '/v1/erasure-requests/3f1d6a9c-0000-4000-8000-000000000000/tasks?limit=1001', status: 400, kind: 'validation', path: 'query.limit' },
  { name: 'limit not a number', url: '/v1/erasure-requests?limit=ten', status: 400, kind: 'validation', path: 'query.limit' },
  { name: 'unknown status', url: '/v1/erasure-requests?status=done', status: 400, kind: 'validation', path: 'query.status' },
  { name: 'status twice', url: '/v1/erasure-requests?status=pending&status=failed', status: 400, kind: 'validation', path: 'query.status' },
  { name: 'overdue not a boolean', url: '/v1/erasure-requests?overdue=yes', status: 400, kind: 'validation', path: 'query.overdue' },
  { name: 'createdAfter not a date', url: '/v1/erasure-requests?createdAfter=yesterday', status: 400, kind: 'validation', path: 'query.createdAfter' },
  { name: 'unknown filter', url: '/v1/erasure-requests?email=a@example.com', status: 400, kind: 'validation', path: 'query' },
];

describe('reads with bad paths and queries', () => {
  it.each(getCases)('$name → $status $kind', async (c) => {
    const res = await t.app.inject({ method: c.method ?? 'GET', url: c.url, headers: bearer(KEYS.reader) });
    expect(res.statusCode).toBe(c.status);
    const problem = expectProblem(res);
    expect(problem.type).toBe(PROBLEM(c.kind));
    if (c.path !== undefined) expect(problem.errors?.map((e) => e.path)).toContain(c.path);
  });

  it('says which methods a path allows', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: '/v1/erasure-requests', headers: bearer(KEYS.reader) });
    expect(res.headers.allow).toBe('GET, HEAD, POST');
  });
});

describe('request ids', () => {
  it('echoes a sane x-request-id and replaces an unsafe one', async () => {
    const kept = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'portal-1234.abc' } });
    expect(kept.headers['x-request-id']).toBe('portal-1234.abc');
    const replaced = await t.app.inject({ method: 'GET', url: '/v1/nope', headers: { 'x-request-id': 'a b\u0000<script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(expectProblem(replaced).requestId).toBe(replaced.headers['x-request-id']);
  });
});
