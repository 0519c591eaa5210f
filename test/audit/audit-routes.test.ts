// The audit API as auditors and the privacy portal use it: events, verification, signed evidence with
// its public keys, cancel and retry, overdue requests and the CSV export — through HTTP.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckpoint } from '../../src/audit/create-checkpoint.ts';
import { verifyInclusion } from '../../src/domain/merkle.ts';
import { registerOverdueRequestsGauge } from '../../src/reports/overdue-gauge.ts';
import { wantsCsv } from '../../src/http/negotiate.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, requestBody, TEST_EVIDENCE_KID, type TestApp } from '../http/harness.ts';

let t: TestDatabase;
let api: TestApp;
beforeAll(async () => {
  t = await createTestDatabase();
  api = await buildTestApp(t);
});
afterAll(async () => {
  await api?.close();
  await t?.close();
});

const auditor = bearer(KEYS.auditor);
const writer = bearer(KEYS.writer);
const reader = bearer(KEYS.reader);

async function submit(overrides: Record<string, unknown> = {}): Promise<string> {
  const res = await api.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: writer, payload: requestBody(overrides) });
  expect(res.statusCode).toBe(202);
  return res.json().id as string;
}

async function settleAll(id: string, state: 'succeeded' | 'failed'): Promise<void> {
  const now = api.clock.now();
  await t.db
    .updateTable('task')
    .set({ state, attempts: 1, first_sent_at: now, finished_at: now, last_error: state === 'failed' ? { kind: 'http', status: 400, message: 'bad' } : null })
    .where('request_id', '=', id)
    .execute();
  await t.db.updateTable('erasure_request').set({ status: state === 'failed' ? 'failed' : 'completed', completed_at: now }).where('id', '=', id).execute();
}

describe('GET /v1/erasure-requests/{id}/events', () => {
  it('lists the trail for audit:read, page by page, and refuses other scopes', async () => {
    const id = await submit();
    await api.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/cancel`, headers: writer });
    const first = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events?limit=2`, headers: auditor });
    expect(first.statusCode).toBe(200);
    const page = first.json();
    expect(page.data.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(page.data[0]).toMatchObject({ type: 'request.created', actor: 'api-key:portal', prevHash: '0'.repeat(64), hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(page.nextCursor).toEqual(expect.any(String));
    const rest = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events?limit=1000&cursor=${page.nextCursor}`, headers: auditor })).json();
    expect(rest.data[0].seq).toBe(3);
    expect(rest.data[0].prevHash).toBe(page.data[1].hash);
    expect(rest.data.at(-1)).toMatchObject({ type: 'request.cancelled', actor: 'api-key:portal' });
    expect(rest.nextCursor).toBeNull();

    expect((await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events`, headers: writer })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events` })).statusCode).toBe(401);
    const missing = await api.app.inject({ method: 'GET', url: '/v1/erasure-requests/00000000-0000-4000-8000-000000000000/events', headers: auditor });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
  });
});

describe('GET /v1/erasure-requests/{id}/events/verify', () => {
  it('answers valid with the head hash, and the first broken link after tampering', async () => {
    const id = await submit();
    const ok = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events/verify`, headers: auditor });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ valid: true, events: 1, headHash: expect.stringMatching(/^[0-9a-f]{64}$/), checkpoints: 0 });

    await t.admin.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      try {
        await sql`update request_event set data = '{}'::jsonb where request_id = ${id} and seq = 1`.execute(conn);
      } finally {
        await sql`set session_replication_role = origin`.execute(conn);
      }
    });
    const broken = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events/verify`, headers: auditor });
    expect(broken.json()).toEqual({ valid: false, events: 1, brokenAt: { seq: 1, reason: 'hash_mismatch' } });

    const evidence = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: auditor });
    expect(evidence.statusCode).toBe(409);
    expect(evidence.json()).toMatchObject({ type: 'https://erasure-gateway.dev/problems/audit-chain-broken', status: 409 });
  });
});

describe('a deleted tail, through HTTP', () => {
  it('the last event deleted as a superuser: verify names the missing tail, evidence answers 409', async () => {
    const id = await submit();
    await api.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/cancel`, headers: writer });
    const before = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events/verify`, headers: auditor })).json();
    expect(before).toMatchObject({ valid: true });
    // What the table's owner can do: switch the append-only trigger off, delete, switch it on again.
    await t.admin.db.connection().execute(async (conn) => {
      await sql`alter table request_event disable trigger request_event_no_update_delete`.execute(conn);
      try {
        await sql`delete from request_event where request_id = ${id} and seq = ${before.events}`.execute(conn);
      } finally {
        await sql`alter table request_event enable trigger request_event_no_update_delete`.execute(conn);
      }
    });
    const verdict = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events/verify`, headers: auditor })).json();
    expect(verdict).toEqual({ valid: false, events: before.events - 1, brokenAt: { seq: before.events, reason: 'missing_tail' } });
    const evidence = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: auditor });
    expect(evidence.statusCode).toBe(409);
    expect(evidence.json()).toMatchObject({ type: 'https://erasure-gateway.dev/problems/audit-chain-broken', detail: expect.stringContaining(`event ${before.events}, missing_tail`) });
  });
});

describe('GET /v1/audit/checkpoints', () => {
  it('lists signed checkpoints newest first for audit:read, with an inclusion proof that verifies against the signed root', async () => {
    const id = await submit();
    const key = api.evidenceKey;
    const first = await createCheckpoint(t.db, { key, now: api.clock.now() });
    api.clock.advance(60_000);
    const second = await createCheckpoint(t.db, { key, now: api.clock.now() });
    const res = await api.app.inject({ method: 'GET', url: `/v1/audit/checkpoints?limit=1&requestId=${id}`, headers: auditor });
    expect(res.statusCode).toBe(200);
    const page = res.json();
    expect(page.data).toHaveLength(1);
    const [cp] = page.data;
    expect(cp).toMatchObject({ id: Number(second!.id), kid: TEST_EVIDENCE_KID, storedHeadsMatchRoot: true, inclusion: { requestId: id, seq: 1 } });
    const jwks = createLocalJWKSet((await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as JSONWebKeySet);
    const { payload } = await jwtVerify(cp.jws, jwks, { typ: 'erasure-checkpoint+jwt' });
    expect(payload).toMatchObject({ schema: 'erasure-checkpoint/v1', id: cp.id, rootHash: cp.rootHash, treeSize: cp.treeSize, previous: { id: Number(first!.id), rootHash: first!.root_hash } });
    expect(verifyInclusion({ requestId: id, seq: cp.inclusion.seq, hash: cp.inclusion.headHash }, cp.inclusion, payload.rootHash as string)).toBe(true);

    const older = (await api.app.inject({ method: 'GET', url: `/v1/audit/checkpoints?cursor=${page.nextCursor}`, headers: auditor })).json();
    expect(older.data.map((c: { id: number }) => c.id)).toContain(Number(first!.id));
    expect(older.data[0].inclusion).toBeUndefined();

    // Replicas ticking together make one checkpoint: an advisory lock, then the interval since the last.
    api.clock.advance(3_600_000);
    const together = await Promise.all(Array.from({ length: 4 }, () => createCheckpoint(t.db, { key, now: api.clock.now(), minIntervalMs: 3_000_000 })));
    expect(together.filter((c) => c !== null)).toHaveLength(1);
    expect(together.find((c) => c !== null)!.id).toBe(Number(second!.id) + 1);

    expect((await api.app.inject({ method: 'GET', url: '/v1/audit/checkpoints', headers: writer })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'GET', url: '/v1/audit/checkpoints?requestId=nope', headers: auditor })).statusCode).toBe(400);
  });
});

describe('evidence and JWKS', () => {
  it('verifies with jose against the public JWKS, and is identical when fetched twice', async () => {
    const id = await submit({ subject: { email: 'grace.hopper@example.org', phone: '+1 202 555 0143' } });
    await settleAll(id, 'succeeded');

    const jwksRes = await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwksRes.statusCode).toBe(200);
    const jwks = jwksRes.json() as JSONWebKeySet;
    expect(jwks.keys).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', kid: TEST_EVIDENCE_KID, alg: 'EdDSA', use: 'sig' })]);

    const first = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: { ...auditor, accept: 'application/jose' } });
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toContain('application/jose');
    api.clock.advance(3_600_000);
    const second = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: { ...auditor, accept: 'application/jose' } });
    expect(second.body).toBe(first.body);

    const { payload } = await jwtVerify(first.body, createLocalJWKSet(jwks), { typ: 'erasure-evidence+jwt', subject: id });
    expect(payload).toMatchObject({ final: true, request: { id, status: 'completed', subjectHashes: { email: expect.any(String), phone: expect.any(String) } } });
    expect(first.body).not.toContain('grace');
    expect(JSON.stringify(payload)).not.toContain('grace.hopper');
    // Whole numbers only: a short digit run turns up by chance in hex hashes and uuids.
    for (const phone of ['202 555 0143', '2025550143']) expect(JSON.stringify(payload)).not.toContain(phone);

    const asJson = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: auditor });
    expect(asJson.headers['content-type']).toContain('application/json');
    expect(asJson.json()).toEqual({ jws: first.body, kid: TEST_EVIDENCE_KID, payload });

    expect((await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: writer })).statusCode).toBe(403);
  });
});

describe('evidence of vendor jobs', () => {
  it('names every job id a task received and notes a submit whose answer was lost', async () => {
    const id = await submit();
    await settleAll(id, 'succeeded');
    const [first] = await t.db.selectFrom('task').select('id').where('request_id', '=', id).orderBy('seq').limit(1).execute();
    const upstreamRef = { jobId: 'cdj-2', jobIds: ['cdj-1', 'cdj-2'], lostSubmits: [{ at: '2026-03-10T11:00:00.000Z', reason: 'timeout' }] };
    await t.db.updateTable('task').set({ upstream_ref: upstreamRef }).where('id', '=', first!.id).execute();

    const res = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: auditor });
    expect(res.statusCode).toBe(200);
    const tasks = res.json().payload.tasks as Array<{ id: string; jobIds?: string[]; notes?: string[] }>;
    const task = tasks.find((x) => x.id === first!.id)!;
    expect(task.jobIds).toEqual(['cdj-1', 'cdj-2']);
    expect(task.notes).toEqual([
      'A job submit at 2026-03-10T11:00:00.000Z got no answer (timeout): a job may have been queued twice — the vendor may hold a job whose id the gateway never received.',
    ]);
    // Tasks without vendor jobs carry neither.
    expect(tasks.filter((x) => x.id !== first!.id).every((x) => x.jobIds === undefined && x.notes === undefined)).toBe(true);
  });
});

describe('POST /v1/erasure-requests/{id}/cancel', () => {
  it('cancels unsent tasks, answers the request and what could not be cancelled, then 409', async () => {
    const id = await submit({ callbackUrl: 'https://portal.internal/hooks/erasure' });
    const [sent] = await t.db.selectFrom('task').select('id').where('request_id', '=', id).orderBy('seq').limit(1).execute();
    await t.db.updateTable('task').set({ state: 'waiting', first_sent_at: api.clock.now(), attempts: 1 }).where('id', '=', sent!.id).execute();

    const res = await api.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/cancel`, headers: writer });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.request).toMatchObject({ id, status: 'cancelled', cancelledAt: api.clock.now().toISOString(), completedAt: null });
    expect(body.cancelledTasks).toBe(3);
    expect(body.notCancelled).toEqual([{ taskId: sent!.id, state: 'waiting', reason: 'sent_upstream' }]);
    expect(body.request.progress).toMatchObject({ cancelled: 3, waiting: 1 });

    const again = await api.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/cancel`, headers: writer });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ type: 'https://erasure-gateway.dev/problems/request-not-cancellable', status: 409 });

    expect((await api.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/cancel`, headers: auditor })).statusCode).toBe(403);
    expect((await api.app.inject({ method: 'POST', url: '/v1/erasure-requests/00000000-0000-4000-8000-000000000000/cancel', headers: writer })).statusCode).toBe(404);
  });

  it('refuses a final request with 409', async () => {
    const id = await submit();
    await settleAll(id, 'succeeded');
    const res = await api.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/cancel`, headers: writer });
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toContain('already final (completed)');
  });
});

describe('POST /v1/erasure-requests/{id}/retry', () => {
  it('re-drives failed tasks and reopens the request; nothing failed is a 409', async () => {
    const id = await submit();
    await settleAll(id, 'failed');
    const res = await api.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/retry`, headers: writer });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ retriedTasks: 4, retriedCallback: false, request: { id, completedAt: null, progress: { pending: 4, failed: 0 } } });
    const events = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events?limit=1000`, headers: auditor })).json();
    expect(events.data.at(-1)).toMatchObject({ type: 'request.retried', actor: 'api-key:portal', data: { retriedTasks: 4 } });

    const again = await api.app.inject({ method: 'POST', url: `/v1/erasure-requests/${id}/retry`, headers: writer });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ type: 'https://erasure-gateway.dev/problems/request-not-retryable' });
  });
});

describe('overdue requests', () => {
  it('a request due yesterday shows overdue, is in the overdue=true list, the gauge and the CSV export', async () => {
    const id = await submit({ externalRef: 'OVERDUE-1', dueAt: '2026-03-20T00:00:00.000Z' });
    api.clock.set('2026-03-21T00:00:00.000Z');

    const one = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: reader })).json();
    expect(one).toMatchObject({ overdue: true, dueAt: '2026-03-20T00:00:00.000Z' });
    const list = (await api.app.inject({ method: 'GET', url: '/v1/erasure-requests?overdue=true&limit=100', headers: reader })).json();
    expect(list.data.map((r: { id: string }) => r.id)).toContain(id);
    const notOverdue = (await api.app.inject({ method: 'GET', url: '/v1/erasure-requests?overdue=false&limit=100', headers: reader })).json();
    expect(notOverdue.data.map((r: { id: string }) => r.id)).not.toContain(id);

    const registry = new Registry();
    registerOverdueRequestsGauge(registry, t.db, api.clock);
    const metrics = await registry.metrics();
    const overdueGdpr = await t.db
      .selectFrom('erasure_request')
      .select(sql<number>`count(*)`.as('n'))
      .where('regulation', '=', 'gdpr')
      .where('due_at', '<', api.clock.now())
      .where('status', 'not in', ['completed', 'cancelled'])
      .executeTakeFirstOrThrow();
    expect(Number(overdueGdpr.n)).toBeGreaterThanOrEqual(1);
    expect(metrics).toContain(`gateway_erasure_requests_overdue{regulation="gdpr"} ${Number(overdueGdpr.n)}`);
    expect(metrics).toContain('gateway_erasure_requests_overdue{regulation="ccpa"} 0');

    const csv = await api.app.inject({ method: 'GET', url: '/v1/erasure-requests?overdue=true', headers: { ...auditor, accept: 'text/csv' } });
    const lines = csv.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,tenant,externalRef,regulation,status,overdue,/);
    expect(lines.find((l) => l.startsWith(id))).toContain(',privacy-portal,OVERDUE-1,gdpr,');
    expect(lines.slice(1).every((l) => l.split(',')[5] === 'true')).toBe(true);
  });

  it('CSV is chosen only when preferred to JSON', () => {
    expect(wantsCsv('text/csv')).toBe(true);
    expect(wantsCsv('text/csv, application/json;q=0.5')).toBe(true);
    expect(wantsCsv('application/json, text/csv;q=0.5')).toBe(false);
    expect(wantsCsv('*/*')).toBe(false);
    expect(wantsCsv(undefined)).toBe(false);
    expect(wantsCsv('text/*')).toBe(true);
  });
});

describe('OpenAPI', () => {
  it('documents the audit routes under the audit tag, with the JWKS public', async () => {
    const doc = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of ['/v1/erasure-requests/{id}/events', '/v1/erasure-requests/{id}/events/verify', '/v1/erasure-requests/{id}/evidence', '/.well-known/jwks.json', '/v1/erasure-requests/{id}/cancel', '/v1/erasure-requests/{id}/retry', '/v1/audit/checkpoints']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.tags.map((tag: { name: string }) => tag.name)).toContain('audit');
    for (const path of ['/v1/erasure-requests/{id}/events', '/v1/erasure-requests/{id}/events/verify', '/v1/erasure-requests/{id}/evidence', '/.well-known/jwks.json']) {
      expect(doc.paths[path].get.tags).toEqual(['audit']);
    }
    expect(doc.paths['/v1/erasure-requests/{id}/evidence'].get.security).toEqual([{ bearerAuth: [] }]);
    const jwks = doc.paths['/.well-known/jwks.json'].get;
    expect(jwks.security).toEqual([]);
    expect(Object.keys(jwks.responses)).not.toContain('401');
    expect(doc.security).toBeUndefined();
    const list = doc.paths['/v1/erasure-requests'].get.responses['200'].content;
    expect(Object.keys(list).sort()).toEqual(['application/json', 'text/csv']);
    expect(list['application/json'].schema).toEqual({ $ref: '#/components/schemas/ErasureRequestPage' });
  });
});

describe('GET /v1/erasure-requests with Accept: text/csv', () => {
  const csvList = (query: string, headers: Record<string, string> = reader) =>
    api.app.inject({ method: 'GET', url: `/v1/erasure-requests${query}`, headers: { ...headers, accept: 'text/csv' } });

  it('exports the requests matching the filters as one CSV attachment, up to `limit`, with the cursor of the next export', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) {
      api.clock.advance(1000);
      ids.push(await submit({ externalRef: 'CSV-1' }));
    }
    await submit({ externalRef: 'CSV-OTHER' });
    const all = await csvList('?externalRef=CSV-1');
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(all.headers['content-disposition']).toBe('attachment; filename="erasure-requests.csv"');
    expect(all.headers.vary).toBe('accept');
    expect(all.headers['next-cursor']).toBeUndefined();
    const lines = all.body.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,tenant,externalRef,regulation,status,overdue,/);
    // Newest first, the whole list (default limit 100,000).
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual([...ids].reverse());
    expect(lines[1]!.startsWith(`${ids[2]},privacy-portal,CSV-1,gdpr,pending,`)).toBe(true);

    const first = await csvList('?externalRef=CSV-1&limit=2');
    expect(first.body.trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[0])).toEqual([ids[2], ids[1]]);
    const next = first.headers['next-cursor'] as string;
    expect(next).toEqual(expect.any(String));
    expect(first.headers.link).toBe(`</v1/erasure-requests?externalRef=CSV-1&limit=2&cursor=${next}>; rel="next"`);
    const rest = await csvList(`?externalRef=CSV-1&limit=2&cursor=${next}`);
    expect(rest.body.trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[0])).toEqual([ids[0]]);
    expect(rest.headers['next-cursor']).toBeUndefined();
    expect((await csvList('?externalRef=CSV-1&limit=100001')).statusCode).toBe(400);
    expect((await csvList('?cursor=not-a-cursor')).statusCode).toBe(400);

    const asAuditor = await csvList('?externalRef=CSV-1', auditor);
    expect(asAuditor.statusCode).toBe(200);
    expect(asAuditor.body).toBe(all.body);
    const none = await csvList('?externalRef=NO-SUCH-REF');
    expect(none.body.split('\r\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('says in each row what the JSON resource says: timestamps, overdue, targets, tasks per state', async () => {
    const id = await submit({ externalRef: 'CSV-SAME', dueAt: '2026-03-01T00:00:00.000Z' });
    const [first, second] = await t.db.selectFrom('task').select('id').where('request_id', '=', id).orderBy('seq').limit(2).execute();
    await t.db.updateTable('task').set({ state: 'succeeded', finished_at: api.clock.now() }).where('id', '=', first!.id).execute();
    await t.db.updateTable('task').set({ state: 'waiting' }).where('id', '=', second!.id).execute();
    await t.db.updateTable('erasure_request').set({ status: 'in_progress' }).where('id', '=', id).execute();
    const r = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: reader })).json();
    const line = (await csvList('?externalRef=CSV-SAME')).body.split('\r\n')[1];
    const states = ['pending', 'running', 'waiting', 'succeeded', 'not_found', 'failed', 'cancelled', 'skipped'];
    const total = states.reduce((n, s) => n + (r.progress[s] as number), 0);
    expect(line).toBe(
      [r.id, r.tenant, r.externalRef, r.regulation, r.status, r.overdue, r.createdAt, r.updatedAt, r.dueAt, r.completedAt ?? '', r.cancelledAt ?? '',
        r.targets.map((x: { type: string; connection: string }) => `${x.type}@${x.connection}`).join(' '), total, ...states.map((s) => r.progress[s]), /* skipReasons: none */ ''].join(','),
    );
    expect(r.overdue).toBe(true);
    expect(r.progress).toMatchObject({ succeeded: 1, waiting: 1 });
  });

  it('exports more than one page (rows are read 500 at a time)', async () => {
    const before = (await csvList('?status=pending')).body.trimEnd().split('\r\n').length - 1;
    await sql`
      insert into erasure_request (id, external_ref, regulation, status, tenant, created_by, created_at, updated_at, due_at, task_count)
      select gen_random_uuid(), 'CSV-MANY-' || n, 'gdpr', 'pending', 'privacy-portal', 'portal',
        ${api.clock.now()}::timestamptz - n * interval '1 second', ${api.clock.now()}::timestamptz, ${api.clock.now()}::timestamptz + interval '30 days', 1
      from generate_series(1, 1005) n`.execute(t.db);
    const lines = (await csvList('?status=pending')).body.trimEnd().split('\r\n');
    expect(lines.length - 1).toBe(before + 1005);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(lines.length - 1);
  });

  it('keeps JSON unless CSV is preferred, and answers problems as problem+json', async () => {
    const json = await api.app.inject({ method: 'GET', url: '/v1/erasure-requests?limit=1', headers: { ...reader, accept: 'application/json, text/csv;q=0.5' } });
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.headers.vary).toBe('accept');
    expect(json.json().data).toHaveLength(1);
    // One limit for both: a JSON page holds at most 100, whatever larger limit is asked.
    const large = await api.app.inject({ method: 'GET', url: '/v1/erasure-requests?limit=5000', headers: reader });
    expect(large.statusCode).toBe(200);
    expect(large.json().data).toHaveLength(100);
    expect(large.json().nextCursor).toEqual(expect.any(String));
    const bad = await csvList('?status=nonsense');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((await csvList('', writer)).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/v1/erasure-requests', headers: { accept: 'text/csv' } })).statusCode).toBe(401);
  });

  it('is a 503 problem, not a cut CSV, while the database is unreachable', async () => {
    const { createDatabase } = await import('../../src/db/database.ts');
    const down = createDatabase('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const broken = await buildTestApp(down);
    try {
      const res = await broken.app.inject({ method: 'GET', url: '/v1/erasure-requests', headers: { ...reader, accept: 'text/csv' } });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
    } finally {
      await broken.close();
      await down.close();
    }
  });
});

