// Runs the privacy housekeeping periodically in a worker process: the purge of personal data of requests
// final long enough, and the deletion of expired idempotency answers. Every replica may run it: each
// request is purged in its own transaction under the request's row lock and re-checked there, and
// deleting expired keys twice deletes nothing the second time.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { expireIdempotencyKeys } from './expire-idempotency-keys.ts';
import { purgeExpiredPersonalData } from './purge-expired-subjects.ts';

export type SubjectPurgeSchedule = { runNow(): Promise<number>; stop(): Promise<void> };

export type SubjectPurgeOptions = {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  /** config.file.privacy.purgeSubjectAfterDays */
  purgeAfterDays: number;
  /** config.file.privacy.idempotencyTtlHours */
  idempotencyTtlHours: number;
  /** The subject hash key: person-level locators are replaced by their keyed hash. */
  hashKey: string;
  /** Default every 15 minutes; a run purges up to `batchSize` requests and the next run the rest. */
  intervalMs?: number;
  batchSize?: number;
};

export function startSubjectPurge(options: SubjectPurgeOptions): SubjectPurgeSchedule {
  const { db, clock, logger, purgeAfterDays, idempotencyTtlHours } = options;
  const intervalMs = options.intervalMs ?? 900_000;
  let running: Promise<number> | null = null;
  const run = async (): Promise<number> => {
    const now = clock.now();
    const expired = await expireIdempotencyKeys(db, now, idempotencyTtlHours);
    if (expired > 0) logger.info({ expired, idempotencyTtlHours }, 'deleted expired idempotency keys');
    const purged = await purgeExpiredPersonalData(db, now, purgeAfterDays, { hashKey: options.hashKey, batchSize: options.batchSize ?? 500 });
    if (purged > 0) logger.info({ purged, purgeAfterDays }, 'purged the personal data of requests final long enough');
    return purged;
  };
  const runNow = (): Promise<number> => {
    running ??= run()
      .catch((err: unknown) => {
        logger.error({ err }, 'privacy purge failed; it runs again at the next interval');
        return 0;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  // A first run shortly after start, then on the interval; jitter keeps replicas from running in step.
  const first = setTimeout(() => void runNow(), Math.round(Math.random() * Math.min(intervalMs, 60_000)));
  const timer = setInterval(() => void runNow(), intervalMs);
  first.unref();
  timer.unref();
  return {
    runNow,
    async stop() {
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
