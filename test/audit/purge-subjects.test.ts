// Data minimisation: a configured time after a request is final its personal data leaves the database —
// subject, callback URL, person-level locators (replaced by keyed hashes), upstream free text on its
// tasks, the callback URL in its idempotency answers; keyed hashes, record ids and the trail stay; the
// purge is in the audit trail, which never holds any of it. Idempotency answers expire on their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRequestChain } from '../../src/audit/verify-request-chain.ts';
import { ALL_TENANTS } from '../../src/domain/caller.ts';
import { manualClock } from '../../src/clock.ts';
import { identityHash } from '../../src/domain/subject.ts';
import { createLogger } from '../../src/logger.ts';
import { expireIdempotencyKeys } from '../../src/privacy/expire-idempotency-keys.ts';
import { purgeExpiredPersonalData } from '../../src/privacy/purge-expired-subjects.ts';
import { startSubjectPurge } from '../../src/privacy/purge-schedule.ts';
import { retryRequest } from '../../src/services/retry-request.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { PORTAL_TENANT, SUBJECT, SUBJECT_HASHES, seedRequest } from './fixtures.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T00:00:00.000Z');
const HASH_KEY = 'purge-test-hash-key';
const CID = 'jane.doe@example.org';
const CALLBACK = 'https://portal.internal/hooks/erasure?token=purge-test-token';
const ECHO = `no recording for channel user ${CID}`;

async function row(id: string) {
  return t.db
    .selectFrom('erasure_request')
    .select(['subject', 'subject_hashes', 'subject_purged_at', 'personal_data_purged_at', 'callback_url'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

const tasksOf = (id: string) => t.db.selectFrom('task').selectAll().where('request_id', '=', id).orderBy('seq').execute();

/** A final request holding every kind of personal data the gateway stores. */
async function finalRequestWithPersonalData(completedAt: Date) {
  const seeded = await seedRequest(t.db, {
    status: 'failed',
    completedAt,
    callbackUrl: CALLBACK,
    tasks: [
      { type: 'koreai.channel_user', connection: 'kore-support', locator: { cId: CID, startDate: '2026-01-01' }, state: 'succeeded', upstreamRef: { jobId: 'cdj-1', jobStatus: 'completed' } },
      { type: 'cartesia.call', locator: { callId: 'ac_42' }, state: 'not_found', upstreamRef: { httpStatus: 404, errorCode: 'not_found', message: ECHO } },
      { type: 'koreai.recording', locator: { sessionId: 's-9' }, state: 'failed', lastError: { kind: 'http', status: 400, code: '400', message: ECHO } },
      { type: 'callback', connection: null, locator: { url: CALLBACK }, state: 'succeeded', upstreamRef: { event: 'request.failed', host: 'portal.internal', statusCode: 204 } },
    ],
  });
  await t.db
    .insertInto('idempotency_key')
    .values({ tenant: PORTAL_TENANT, api_key_name: 'portal', key: `k-${seeded.id}`, body_hash: 'f'.repeat(64), request_id: seeded.id, response_status: 202, response_body: { id: seeded.id, callbackUrl: CALLBACK }, created_at: NOW })
    .execute();
  return seeded;
}

describe('purgeExpiredPersonalData', () => {
  it('removes subject, callback URL, channel user ids and upstream text of requests final long enough; keeps hashes, ids and the trail', async () => {
    const old = await finalRequestWithPersonalData(new Date(NOW.getTime() - 31 * DAY));
    const recent = await seedRequest(t.db, { status: 'completed', completedAt: new Date(NOW.getTime() - 29 * DAY), tasks: [{ state: 'succeeded' }] });
    const open = await seedRequest(t.db, { status: 'in_progress', tasks: [{ state: 'waiting' }] });

    expect(await purgeExpiredPersonalData(t.db, NOW, 30, { hashKey: HASH_KEY })).toBe(1);
    expect(await row(old.id)).toEqual({ subject: null, subject_hashes: SUBJECT_HASHES, subject_purged_at: NOW, personal_data_purged_at: NOW, callback_url: null });
    expect(await row(recent.id)).toMatchObject({ subject: SUBJECT, personal_data_purged_at: null });
    expect(await row(open.id)).toMatchObject({ subject: SUBJECT, personal_data_purged_at: null });

    const [channelUser, call, recording, callback] = await tasksOf(old.id);
    expect(channelUser!.locator).toEqual({ cId: { keyedHash: identityHash(HASH_KEY, 'cId', CID) }, startDate: '2026-01-01' });
    expect(channelUser!.upstream_ref).toEqual({ jobId: 'cdj-1', jobStatus: 'completed' });
    expect(call!.locator).toEqual({ callId: 'ac_42' });
    expect(call!.upstream_ref).toEqual({ httpStatus: 404, errorCode: 'not_found' });
    expect(recording!.last_error).toEqual({ kind: 'http', status: 400, code: '400' });
    expect(callback!.locator).toEqual({ url: { keyedHash: identityHash(HASH_KEY, 'callbackUrl', CALLBACK) } });
    expect(callback!.upstream_ref).toEqual({ event: 'request.failed', host: 'portal.internal', statusCode: 204 });
    const answer = await t.db.selectFrom('idempotency_key').select('response_body').where('request_id', '=', old.id).executeTakeFirstOrThrow();
    expect(answer.response_body).toEqual({ id: old.id, callbackUrl: null });
    for (const text of [JSON.stringify(await tasksOf(old.id)), JSON.stringify(await row(old.id)), JSON.stringify(answer)]) {
      expect(text).not.toContain(CID);
      expect(text).not.toContain('purge-test-token');
      expect(text).not.toContain(SUBJECT.email);
    }

    const events = await t.db.selectFrom('request_event').selectAll().where('request_id', '=', old.id).orderBy('seq').execute();
    expect(events.at(-1)).toMatchObject({
      type: 'subject.purged',
      actor: 'system',
      data: { purgeAfterDays: 30, keptHashes: true, subject: true, callbackUrl: true, hashedLocators: 2, tasks: 4, idempotencyAnswers: 1 },
    });
    expect(JSON.stringify(events)).not.toContain(SUBJECT.email);
    expect((await verifyRequestChain(t.db, old.id, ALL_TENANTS))?.valid).toBe(true);

    // Running again finds nothing new: the purge happens once.
    expect(await purgeExpiredPersonalData(t.db, NOW, 30, { hashKey: HASH_KEY })).toBe(0);
    // And a purged request cannot be re-driven: its tasks no longer hold the channel user id.
    expect(await retryRequest(t.db, old.id, { caller: { name: 'portal', tenant: PORTAL_TENANT, allTenants: false, scopes: ['erasure:write'] }, now: NOW })).toEqual({ kind: 'purged', status: 'failed', purgedAt: NOW });
  });

  it('purges requests without a subject too (their callback URLs and locators), and at once with purgeAfterDays 0, in batches', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await seedRequest(t.db, { status: 'failed', completedAt: NOW, subject: null, subjectHashes: null, callbackUrl: CALLBACK, tasks: [{ state: 'failed' }] })).id);
    let total = 0;
    for (let n = await purgeExpiredPersonalData(t.db, NOW, 0, { hashKey: HASH_KEY, batchSize: 2 }); n > 0; n = await purgeExpiredPersonalData(t.db, NOW, 0, { hashKey: HASH_KEY, batchSize: 2 })) total += n;
    expect(total).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect(await row(id)).toMatchObject({ subject: null, callback_url: null, subject_purged_at: null, personal_data_purged_at: NOW });
  });

  it('runs on a schedule in the worker process, and deletes idempotency keys past their TTL', async () => {
    const { id } = await seedRequest(t.db, { status: 'completed', completedAt: new Date(NOW.getTime() - 10 * DAY), tasks: [{ state: 'succeeded' }] });
    const keys = [
      { key: 'stale', created_at: new Date(NOW.getTime() - 25 * 3_600_000) },
      { key: 'fresh', created_at: new Date(NOW.getTime() - 23 * 3_600_000) },
    ];
    for (const k of keys) {
      await t.db.insertInto('idempotency_key').values({ tenant: PORTAL_TENANT, api_key_name: 'ttl', ...k, body_hash: 'e'.repeat(64), request_id: id, response_status: 202, response_body: {} }).execute();
    }
    const schedule = startSubjectPurge({ db: t.db, clock: manualClock(NOW), logger: createLogger('silent'), purgeAfterDays: 7, idempotencyTtlHours: 24, hashKey: HASH_KEY, intervalMs: 3_600_000 });
    try {
      expect(await schedule.runNow()).toBeGreaterThanOrEqual(1);
      expect((await row(id)).subject).toBeNull();
      const left = await t.db.selectFrom('idempotency_key').select('key').where('api_key_name', '=', 'ttl').execute();
      expect(left.map((k) => k.key)).toEqual(['fresh']);
      expect(await expireIdempotencyKeys(t.db, NOW, 24)).toBe(0);
    } finally {
      await schedule.stop();
    }
  });
});
