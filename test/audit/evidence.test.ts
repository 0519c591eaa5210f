// Evidence of erasure over the database: signed, verifiable with jose against the JWKS alone, free of
// raw subject identities and of upstream free text, signed once when the request is final and then
// served byte for byte — after the callback is delivered and the personal data purged too; a re-drive's
// next final evidence names the one it supersedes.
import { sql } from 'kysely';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIds } from '../../src/clock.ts';
import { identityHash } from '../../src/domain/subject.ts';
import { ALL_TENANTS } from '../../src/domain/caller.ts';
import { issueEvidence } from '../../src/evidence/issue-evidence.ts';
import { jwksDocument } from '../../src/evidence/jwks.ts';
import { ephemeralSigningKey } from '../../src/evidence/signing-key.ts';
import { purgeExpiredPersonalData } from '../../src/privacy/purge-expired-subjects.ts';
import { retryRequest } from '../../src/services/retry-request.ts';
import { claimDueTasks } from '../../src/db/sql/claim-due-tasks.ts';
import { settleTasks } from '../../src/db/sql/settle-tasks.ts';
import { settlementEvents } from '../../src/domain/settlement.ts';
import { evidenceSettleHooks } from '../../src/evidence/settle-hooks.ts';
import { planSettlement } from '../../src/worker/plan-settlement.ts';
import { insertRequest } from '../engine/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { addEvents, PORTAL_TENANT, SUBJECT, SUBJECT_HASHES, seedRequest } from './fixtures.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const key = ephemeralSigningKey('evidence-test');
const HASH_KEY = 'evidence-test-hash-key';
const jwks = createLocalJWKSet(jwksDocument(key));
const CREATED = new Date('2026-01-01T00:00:00.000Z');
const DONE = new Date('2026-01-01T06:30:00.000Z');
const CID = 'u-ada@example.org';

async function finalRequest() {
  return seedRequest(t.db, {
    status: 'completed',
    completedAt: DONE,
    externalRef: 'DSAR-1042',
    callbackUrl: 'https://portal.internal/hooks',
    tasks: [
      {
        type: 'koreai.conversations',
        connection: 'kore-support',
        locator: { conversationIds: ['c-1', 'c-2'] },
        state: 'succeeded',
        attempts: 3,
        firstSentAt: CREATED,
        finishedAt: DONE,
        upstreamRef: { jobId: 'cdj-77', result: { totalConversations: 2, deletedCount: 2 } },
      },
      {
        type: 'cartesia.call',
        locator: { callId: 'call_9' },
        state: 'not_found',
        attempts: 1,
        firstSentAt: CREATED,
        finishedAt: DONE,
        upstreamRef: { httpStatus: 404, errorCode: 'not_found', message: 'Call not found' },
      },
      {
        type: 'koreai.channel_user',
        connection: 'kore-support',
        locator: { cId: CID },
        state: 'succeeded',
        attempts: 1,
        firstSentAt: CREATED,
        finishedAt: DONE,
        upstreamRef: { jobId: 'cdj-78', jobStatus: 'completed' },
      },
    ],
  });
}

async function issue(id: string, now = new Date('2026-02-01T00:00:00Z')) {
  const result = await issueEvidence(t.db, id, { scope: ALL_TENANTS, key, now, hashKey: HASH_KEY, ids: randomIds });
  if (result.kind !== 'issued') throw new Error(`expected evidence, got ${result.kind}`);
  return result;
}

const storedOf = (id: string) => t.db.selectFrom('request_evidence').selectAll().where('request_id', '=', id).orderBy('completed_at').execute();

describe('evidence', () => {
  it('states what was erased where, with allow-listed upstream references, keyed hashes and the chain head, verifiable with jose', async () => {
    const { id, taskIds } = await finalRequest();
    await addEvents(t.db, id, ['task.succeeded', 'task.not_found', 'task.succeeded', 'request.completed'], DONE);
    const { jws, stored } = await issue(id);
    expect(stored).toBe(true);

    const { payload, protectedHeader } = await jwtVerify(jws, jwks, { issuer: 'erasure-gateway', subject: id, typ: 'erasure-evidence+jwt' });
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: 'evidence-test' });
    const head = await t.db.selectFrom('request_event').select(['seq', 'hash']).where('request_id', '=', id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    const [row] = await storedOf(id);
    expect(payload).toMatchObject({
      jti: row!.id,
      supersedes: null,
      final: true,
      iat: DONE.getTime() / 1000,
      issuedAt: DONE.toISOString(),
      request: { id, externalRef: 'DSAR-1042', regulation: 'gdpr', status: 'completed', createdAt: CREATED.toISOString(), completedAt: DONE.toISOString(), subjectHashes: SUBJECT_HASHES },
      summary: { tasks: 3, byState: { succeeded: 2, not_found: 1 } },
      chain: { throughSeq: 5, events: 5, headHash: head.hash },
    });
    expect(row).toMatchObject({ completed_at: DONE, kid: 'evidence-test', jws, supersedes: null });
    expect(head.seq).toBe(5);
    expect(payload.tasks).toEqual([
      expect.objectContaining({ id: taskIds[0], type: 'koreai.conversations', connection: 'kore-support', state: 'succeeded', upstream: { jobId: 'cdj-77', result: { totalConversations: 2, deletedCount: 2 } }, finishedAt: DONE.toISOString() }),
      // The upstream's words ("Call not found") are free text: status and code only.
      expect.objectContaining({ id: taskIds[1], state: 'not_found', upstream: { httpStatus: 404, errorCode: 'not_found' } }),
      // A channel user id names a person: its keyed hash, from the first signature on.
      expect.objectContaining({ id: taskIds[2], locator: { cId: { keyedHash: identityHash(HASH_KEY, 'cId', CID) } } }),
    ]);
    const text = Buffer.from(jws.split('.')[1]!, 'base64url').toString();
    expect(text).not.toContain(SUBJECT.email);
    expect(text).not.toContain(CID);
    expect(text).not.toContain('Call not found');
    // Whole numbers only: a short digit run turns up by chance in hex hashes and uuids.
    for (const phone of [SUBJECT.phone, '2079460958']) expect(text).not.toContain(phone);
  });

  it('is signed once and served byte for byte, after the callback was delivered and the personal data purged', async () => {
    const { id } = await finalRequest();
    await addEvents(t.db, id, ['task.succeeded', 'request.completed'], DONE);
    const first = await issue(id, new Date('2026-01-02T00:00:00Z'));
    const second = await issue(id, new Date('2026-01-03T00:00:00Z'));
    expect(second.jws).toBe(first.jws);

    const callbackTask = '9b1f6a52-3c1d-4e8e-9d7a-0a4f1c2b3d4e';
    await t.db.insertInto('task').values({
      id: callbackTask, request_id: id, seq: 4, type: 'callback', target_index: null, connection: null,
      locator: { url: 'https://portal.internal/hooks' }, state: 'succeeded', phase: 'start', attempts: 1,
      next_attempt_at: DONE, created_at: DONE, updated_at: DONE,
    }).execute();
    await addEvents(t.db, id, ['callback.scheduled', 'task.succeeded'], new Date('2026-01-01T06:31:00Z'), callbackTask);
    await addEvents(t.db, id, ['callback.delivered'], new Date('2026-01-01T06:31:00Z'));
    expect(await purgeExpiredPersonalData(t.db, new Date('2026-03-01T00:00:00Z'), 30, { hashKey: HASH_KEY })).toBeGreaterThanOrEqual(1);

    // Signed with another key now: the stored evidence is what is served, unchanged.
    const other = ephemeralSigningKey('evidence-test-2');
    const later = await issueEvidence(t.db, id, { scope: ALL_TENANTS, key: other, now: new Date('2026-03-02T00:00:00Z'), hashKey: HASH_KEY, ids: randomIds });
    expect(later).toMatchObject({ kind: 'issued', jws: first.jws, kid: 'evidence-test', stored: true });
    expect(first.payload.chain.throughSeq).toBe(3);
    expect(await storedOf(id)).toHaveLength(1);
  });

  it('says final: false for a request still in progress, and keeps nothing', async () => {
    const { id } = await seedRequest(t.db, { status: 'in_progress', tasks: [{ state: 'waiting', firstSentAt: CREATED }] });
    const now = new Date('2026-01-01T01:00:00.000Z');
    const { jws, stored } = await issue(id, now);
    const { payload } = await jwtVerify(jws, jwks);
    expect(stored).toBe(false);
    expect(payload).toMatchObject({ final: false, supersedes: null, iat: now.getTime() / 1000, request: { status: 'in_progress', completedAt: null } });
    expect(payload.jti).toBeUndefined();
    expect(await storedOf(id)).toEqual([]);
  });

  it('a re-drive supersedes the evidence: the next final evidence names the one before, which stays', async () => {
    const { id } = await seedRequest(t.db, {
      status: 'failed',
      completedAt: DONE,
      tasks: [{ state: 'failed', attempts: 25, firstSentAt: CREATED, finishedAt: DONE, lastError: { kind: 'http', status: 500, code: 'http_500', message: 'deletion did not complete' } }],
    });
    const failed = await issue(id);
    expect(failed.payload).toMatchObject({ final: true, request: { status: 'failed' }, supersedes: null });
    expect(failed.payload.tasks[0]!.error).toEqual({ kind: 'http', status: 500, code: 'http_500' });

    const REDRIVEN = new Date('2026-02-01T00:00:00Z');
    expect(await retryRequest(t.db, id, { caller: { name: 'portal', tenant: PORTAL_TENANT, allTenants: false, scopes: ['erasure:write'] }, now: REDRIVEN })).toMatchObject({ kind: 'retried' });
    const provisional = await issue(id, new Date('2026-02-01T00:01:00Z'));
    expect(provisional.payload).toMatchObject({ final: false, supersedes: failed.payload.jti });

    const AGAIN = new Date('2026-02-01T01:00:00Z');
    await t.db.updateTable('task').set({ state: 'succeeded', finished_at: AGAIN, last_error: null }).where('request_id', '=', id).execute();
    await t.db.updateTable('erasure_request').set({ status: 'completed', completed_at: AGAIN }).where('id', '=', id).execute();
    await addEvents(t.db, id, ['task.succeeded', 'request.completed'], AGAIN);
    const succeeded = await issue(id, new Date('2026-02-02T00:00:00Z'));
    expect(succeeded.payload).toMatchObject({ final: true, request: { status: 'completed' }, supersedes: failed.payload.jti });
    expect(succeeded.payload.jti).not.toBe(failed.payload.jti);
    const rows = await storedOf(id);
    expect(rows.map((r) => [r.id, r.supersedes])).toEqual([
      [failed.payload.jti, null],
      [succeeded.payload.jti, failed.payload.jti],
    ]);
    expect(rows[0]!.jws).toBe(failed.jws);
  });

  it('is signed and stored in the settle transaction that makes requests final, a batch at once, never for a broken chain', async () => {
    const ids = await Promise.all([0, 1, 2].map(() => insertRequest(t.db, [{ type: 'cartesia.call', connection: 'c-batch', locator: { callId: 'ac_1' } }])));
    for (const id of ids) await addEvents(t.db, id, ['request.created'], new Date());
    // One of them had its stored head rewritten behind the gateway's back.
    await sql`update erasure_request set chain_seq = 7 where id = ${ids[2]}`.execute(t.admin.db);
    const now = new Date();
    const tasks = await claimDueTasks(t.db, { owner: 'w-batch', now, leaseSeconds: 60, limit: 10, types: ['cartesia.call'], connections: ['c-batch'] });
    expect(tasks).toHaveLength(3);
    const settings = { backoff: { baseMs: 1000, capMs: 60_000 }, maxAttempts: 3, maxTaskAgeMs: 86_400_000 };
    const settlements = tasks.map((task) => {
      const result = { outcome: { kind: 'succeeded' as const, upstreamRef: { redactedAt: now.toISOString() } }, call: { operation: 'call.delete', method: 'DELETE', pathTemplate: '/agents/calls/{call_id}', status: 200, latencyMs: 3 } };
      const plan = planSettlement(task, result, settings, now);
      return { task, plan, events: settlementEvents({ task, plan, result, actor: 'worker:w-batch', now }), called: true, finishedAgoMs: 0 };
    });
    const hooks = evidenceSettleHooks({ key, hashKey: HASH_KEY, ids: randomIds });
    const result = await settleTasks(t.db, { owner: 'w-batch', actor: 'worker:w-batch', now, settlements, hooks });
    expect(result.statusChanges.filter((c) => c.change.becameFinal)).toHaveLength(3);
    expect((await storedOf(ids[0]!)).length).toBe(1);
    expect((await storedOf(ids[1]!)).length).toBe(1);
    expect(await storedOf(ids[2]!)).toEqual([]);
    const fetched = await issue(ids[0]!);
    expect(fetched.jws).toBe((await storedOf(ids[0]!))[0]!.jws);
    expect(await issueEvidence(t.db, ids[2]!, { scope: ALL_TENANTS, key, now, hashKey: HASH_KEY, ids: randomIds })).toMatchObject({ kind: 'chain_broken', brokenAt: { reason: 'missing_tail' } });
  });

  it('is refused for a tampered chain, and for an unknown request', async () => {
    const { id } = await finalRequest();
    await addEvents(t.db, id, ['task.succeeded', 'request.completed'], DONE);
    await t.admin.db.connection().execute(async (conn) => {
      await sql`set session_replication_role = replica`.execute(conn);
      try {
        await sql`update request_event set actor = 'someone-else' where request_id = ${id} and seq = 2`.execute(conn);
      } finally {
        await sql`set session_replication_role = origin`.execute(conn);
      }
    });
    const options = { scope: ALL_TENANTS, key, now: DONE, hashKey: HASH_KEY, ids: randomIds };
    expect(await issueEvidence(t.db, id, options)).toEqual({ kind: 'chain_broken', brokenAt: { seq: 2, reason: 'hash_mismatch' } });
    expect(await storedOf(id)).toEqual([]);
    expect(await issueEvidence(t.db, '00000000-0000-4000-8000-000000000000', options)).toEqual({ kind: 'not_found' });
  });
});
