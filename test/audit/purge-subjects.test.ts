// Data minimisation: raw subject identities leave the database a configured time after the request is
// final; keyed hashes stay; the purge is in the audit trail, which never holds the identities.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRequestChain } from '../../src/audit/verify-request-chain.ts';
import { manualClock } from '../../src/clock.ts';
import { createLogger } from '../../src/logger.ts';
import { purgeExpiredSubjects } from '../../src/privacy/purge-expired-subjects.ts';
import { startSubjectPurge } from '../../src/privacy/purge-schedule.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { SUBJECT, SUBJECT_HASHES, seedRequest } from './fixtures.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

const DAY = 86_400_000;
const NOW = new Date('2026-03-01T00:00:00.000Z');

async function row(id: string) {
  return t.db.selectFrom('erasure_request').select(['subject', 'subject_hashes', 'subject_purged_at']).where('id', '=', id).executeTakeFirstOrThrow();
}

describe('purgeExpiredSubjects', () => {
  it('purges requests final for longer than the configured days, keeps the hashes, records the purge', async () => {
    const old = await seedRequest(t.db, { status: 'completed', completedAt: new Date(NOW.getTime() - 31 * DAY), tasks: [{ state: 'succeeded' }] });
    const recent = await seedRequest(t.db, { status: 'completed', completedAt: new Date(NOW.getTime() - 29 * DAY), tasks: [{ state: 'succeeded' }] });
    const open = await seedRequest(t.db, { status: 'in_progress', tasks: [{ state: 'waiting' }] });

    expect(await purgeExpiredSubjects(t.db, NOW, 30)).toBe(1);
    expect(await row(old.id)).toEqual({ subject: null, subject_hashes: SUBJECT_HASHES, subject_purged_at: NOW });
    expect(await row(recent.id)).toMatchObject({ subject: SUBJECT, subject_purged_at: null });
    expect(await row(open.id)).toMatchObject({ subject: SUBJECT, subject_purged_at: null });

    const events = await t.db.selectFrom('request_event').selectAll().where('request_id', '=', old.id).orderBy('seq').execute();
    expect(events.at(-1)).toMatchObject({ type: 'subject.purged', actor: 'system', data: { purgeAfterDays: 30, keptHashes: true } });
    expect(JSON.stringify(events)).not.toContain(SUBJECT.email);
    expect((await verifyRequestChain(t.db, old.id))?.valid).toBe(true);

    // Running again finds nothing new: the purge happens once.
    expect(await purgeExpiredSubjects(t.db, NOW, 30)).toBe(0);
  });

  it('purges at once with purgeAfterDays 0, in batches', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await seedRequest(t.db, { status: 'failed', completedAt: NOW, tasks: [{ state: 'failed' }] })).id);
    let total = 0;
    for (let n = await purgeExpiredSubjects(t.db, NOW, 0, { batchSize: 2 }); n > 0; n = await purgeExpiredSubjects(t.db, NOW, 0, { batchSize: 2 })) total += n;
    expect(total).toBeGreaterThanOrEqual(3);
    for (const id of ids) expect((await row(id)).subject).toBeNull();
  });

  it('runs on a schedule in the worker process', async () => {
    const { id } = await seedRequest(t.db, { status: 'completed', completedAt: new Date(NOW.getTime() - 10 * DAY), tasks: [{ state: 'succeeded' }] });
    const schedule = startSubjectPurge({ db: t.db, clock: manualClock(NOW), logger: createLogger('silent'), purgeAfterDays: 7, intervalMs: 3_600_000 });
    try {
      expect(await schedule.runNow()).toBeGreaterThanOrEqual(1);
      expect((await row(id)).subject).toBeNull();
    } finally {
      await schedule.stop();
    }
  });
});
