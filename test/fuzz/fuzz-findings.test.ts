// What the OpenAPI fuzzing found, one case each, so each stays fixed: text Postgres cannot store, dates
// the API cannot write back, and URLs the router refuses before our error handler sees them. Each must be
// a 4xx problem — never a 500, never a plain JSON error — and a refused submit leaves nothing behind.
import { describe, expect, it } from 'vitest';
import type { TestDatabase } from '../helpers/db.ts';
import { bearer, countAllRows, expectProblem, KEYS, PROBLEM, requestBody, type TestApp, useTestApp } from '../http/harness.ts';

let database: TestDatabase;
let t: TestApp;

useTestApp((app, db) => {
  t = app;
  database = db;
});

const submit = (body: unknown) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/erasure-requests',
    headers: { ...bearer(KEYS.writer), 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });

const target = { type: 'koreai.recordings', connection: 'kore-support', sessionIds: ['s-1'] };

describe('text Postgres cannot store (NUL, lone surrogates) is refused as invalid', () => {
  const cases: { name: string; body: Record<string, unknown>; path: string }[] = [
    { name: 'NUL in externalRef', body: requestBody({ externalRef: 'ticket\u00001' }), path: 'body.externalRef' },
    { name: 'lone surrogate in externalRef', body: requestBody({ externalRef: 'ticket\ud8001' }), path: 'body.externalRef' },
    { name: 'NUL in subject.name', body: requestBody({ subject: { name: 'Ada\u0000' } }), path: 'body.subject.name' },
    { name: 'lone surrogate in subject.userId', body: requestBody({ subject: { userId: '\udfff' } }), path: 'body.subject.userId' },
    { name: 'NUL in subject.externalIds', body: requestBody({ subject: { externalIds: { crm: '4\u00002' } } }), path: 'body.subject.externalIds.crm' },
    { name: 'lone surrogate in a session id', body: requestBody({ targets: [{ ...target, sessionIds: ['s-\ud800'] }] }), path: 'body.targets.0.sessionIds.0' },
    { name: 'lone surrogate in a cId', body: requestBody({ targets: [{ type: 'koreai.channel_user', connection: 'kore-support', cId: 'u-\udc00' }] }), path: 'body.targets.0.cId' },
  ];
  it.each(cases)('$name → 400 validation at $path, nothing stored', async (c) => {
    const before = await countAllRows(database);
    const res = await submit(c.body);
    expect(res.statusCode, res.body).toBe(400);
    const problem = expectProblem(res);
    expect(problem.type).toBe(PROBLEM('validation'));
    expect(problem.errors?.map((e) => e.path)).toContain(c.path);
    expect(await countAllRows(database)).toEqual(before);
  });

  it('NUL in the externalRef filter of the list → 400 validation (JSON and CSV)', async () => {
    for (const accept of ['application/json', 'text/csv']) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests?externalRef=a%00b', headers: { ...bearer(KEYS.reader), accept } });
      expect(res.statusCode, res.body).toBe(400);
      expect(expectProblem(res).errors?.map((e) => e.path)).toContain('query.externalRef');
    }
  });
});

describe('dueAt the API could not write back (after year 9999 or before year 0 in UTC)', () => {
  it.each(['9999-12-31T23:59:59-23:59', '0000-01-01T00:00:00+01:00'])('%s → 400 validation, nothing stored, the list still answers', async (dueAt) => {
    const before = await countAllRows(database);
    const res = await submit(requestBody({ dueAt }));
    expect(res.statusCode, res.body).toBe(400);
    expect(expectProblem(res).errors?.map((e) => e.path)).toContain('body.dueAt');
    expect(await countAllRows(database)).toEqual(before);
    const list = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests', headers: bearer(KEYS.reader) });
    expect(list.statusCode, list.body).toBe(200);
  });

  it('the edges of four-digit years are accepted and read back as given', async () => {
    for (const dueAt of ['9999-12-31T23:59:59.999Z', '0000-01-01T00:00:00Z']) {
      const res = await submit(requestBody({ dueAt, targets: [target] }));
      expect(res.statusCode, res.body).toBe(202);
      const { id } = res.json() as { id: string };
      const read = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(KEYS.reader) });
      expect(read.statusCode, read.body).toBe(200);
      expect(Date.parse((read.json() as { dueAt: string }).dueAt)).toBe(Date.parse(dueAt));
    }
  });
});

describe('URLs the router refuses are answered as problems too', () => {
  it('an id segment longer than the router takes (> 100 characters) → 404 not-found problem', async () => {
    for (const method of ['GET', 'POST'] as const) {
      const url = method === 'GET' ? `/v1/erasure-requests/${'a'.repeat(101)}` : `/v1/erasure-requests/${'a'.repeat(101)}/cancel`;
      const res = await t.app.inject({ method, url, headers: bearer(KEYS.writer) });
      expect(res.statusCode, res.body).toBe(404);
      expect(expectProblem(res).type).toBe(PROBLEM('not-found'));
    }
  });

  it('a malformed percent-encoding in the path → 400 problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests/%ZZ/events', headers: bearer(KEYS.auditor) });
    expect(res.statusCode, res.body).toBe(400);
    expect(expectProblem(res).type).toBe(PROBLEM('bad-request'));
  });
});
