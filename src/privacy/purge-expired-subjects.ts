// Data minimisation: a request's personal data is kept only while the request needs it. A configured time
// after the request is final, everything that names the person goes: the raw subject identities, the
// callback URL, every person-level locator of its tasks (replaced by its keyed hash: domain/person-locators.ts),
// the upstream free text on its tasks (messages: only what the trail's allow-list keeps stays), and the
// callback URL in its stored idempotency answers, and the notes of tasks an operator resolved by hand (free
// text about the correspondence; the reference and skip reasons stay: the operator's statement, by contract
// never the person's data, and in the evidence). The keyed subject hashes, the record-level ids
// (conversation, session, call ids), the trail and the stored evidence stay: they never held any of it.
import type { Kysely } from 'kysely';
import { appendEvents } from '../db/events.ts';
import { redactIdempotencyAnswers } from '../db/idempotency.ts';
import { listPurgeCandidates, lockRequest, purgeRequestPersonalData } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { clearResolutionNotes, listTaskPersonalData, rewriteTaskPersonalData } from '../db/tasks.ts';
import type { JsonObject } from '../domain/json.ts';
import { hashPersonLocators, holdsPersonLocator } from '../domain/person-locators.ts';
import { trailError, trailReference } from '../domain/trail-reference.ts';

const DAY_MS = 86_400_000;

export type PurgeOptions = {
  /** The subject hash key (privacy.subjectHashKey): person-level locators are replaced by their keyed hash. */
  hashKey: string;
  /** Requests purged per run at most; the next run takes the rest. */
  batchSize?: number;
  actor?: string;
};

/**
 * Purges the personal data of every request final for longer than `purgeAfterDays`. Each request in its
 * own short transaction with the row locked, so a concurrent retry (which reopens the request) is
 * respected. Returns the number of requests purged.
 */
export async function purgeExpiredPersonalData(db: Kysely<DB>, now: Date, purgeAfterDays: number, options: PurgeOptions): Promise<number> {
  const cutoff = new Date(now.getTime() - purgeAfterDays * DAY_MS);
  const candidates = await listPurgeCandidates(db, cutoff, options.batchSize ?? 500);
  let purged = 0;
  for (const id of candidates) {
    const done = await db.transaction().execute(async (trx) => {
      if (!(await lockRequest(trx, id))) return false;
      const request = await purgeRequestPersonalData(trx, id, cutoff, now);
      if (request === null) return false;
      let locators = 0;
      const tasks = (await listTaskPersonalData(trx, id)).map((t) => {
        if (holdsPersonLocator(t.type, t.locator)) locators += 1;
        return {
          id: t.id,
          locator: hashPersonLocators(t.type, t.locator, options.hashKey),
          last_error: trailError(t.last_error),
          upstream_ref: trailReference(t.upstream_ref),
        };
      });
      await rewriteTaskPersonalData(trx, tasks, now);
      const answers = await redactIdempotencyAnswers(trx, id);
      const notes = await clearResolutionNotes(trx, id, now);
      const data: JsonObject = {
        finalSince: request.completedAt.toISOString(),
        purgeAfterDays,
        keptHashes: true,
        subject: request.hadSubject,
        callbackUrl: request.hadCallbackUrl,
        hashedLocators: locators,
        tasks: tasks.length,
        idempotencyAnswers: answers,
        resolutionNotes: notes,
      };
      await appendEvents(trx, id, [{ type: 'subject.purged', actor: options.actor ?? 'system', at: now, data }]);
      return true;
    });
    if (done) purged += 1;
  }
  return purged;
}
