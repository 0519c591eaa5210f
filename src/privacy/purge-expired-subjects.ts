// Data minimisation: raw subject identities are kept only while a request needs them. A configured time
// after the request is final they are removed; the keyed hashes stay, for evidence.
import type { Kysely } from 'kysely';
import { appendEvents } from '../db/events.ts';
import { listPurgeCandidates, lockRequest, purgeRequestSubject } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { purgeDiscoveryIdentifiers } from '../db/tasks.ts';

const DAY_MS = 86_400_000;

export type PurgeOptions = {
  /** Requests purged per run at most; the next run takes the rest. */
  batchSize?: number;
  actor?: string;
};

/**
 * Purges the subject of every request final for longer than `purgeAfterDays`. Each request in its own
 * short transaction with the row locked, so a concurrent retry (which reopens the request) is respected.
 * Returns the number of requests purged.
 */
export async function purgeExpiredSubjects(db: Kysely<DB>, now: Date, purgeAfterDays: number, options: PurgeOptions = {}): Promise<number> {
  const cutoff = new Date(now.getTime() - purgeAfterDays * DAY_MS);
  const candidates = await listPurgeCandidates(db, cutoff, options.batchSize ?? 500);
  let purged = 0;
  for (const id of candidates) {
    const done = await db.transaction().execute(async (trx) => {
      if (!(await lockRequest(trx, id))) return false;
      const completedAt = await purgeRequestSubject(trx, id, cutoff, now);
      if (completedAt === null) return false;
      // The identifiers a discovery searched for are the subject's too.
      const discoveries = await purgeDiscoveryIdentifiers(trx, id, now);
      await appendEvents(trx, id, [
        {
          type: 'subject.purged',
          actor: options.actor ?? 'system',
          at: now,
          data: { finalSince: completedAt.toISOString(), purgeAfterDays, keptHashes: true, ...(discoveries > 0 ? { discoveryLocators: discoveries } : {}) },
        },
      ]);
      return true;
    });
    if (done) purged += 1;
  }
  return purged;
}

