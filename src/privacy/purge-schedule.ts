// Runs the subject purge periodically in a worker process. Every replica may run it: each request is
// purged in its own transaction under the request's row lock and re-checked there, so concurrent runs
// purge each request once.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import { purgeExpiredSubjects } from './purge-expired-subjects.ts';

export type SubjectPurgeSchedule = { runNow(): Promise<number>; stop(): Promise<void> };

export type SubjectPurgeOptions = {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  /** config.file.privacy.purgeSubjectAfterDays */
  purgeAfterDays: number;
  /** Default hourly; a run takes up to `batchSize` requests and the next run the rest. */
  intervalMs?: number;
  batchSize?: number;
};

export function startSubjectPurge(options: SubjectPurgeOptions): SubjectPurgeSchedule {
  const { db, clock, logger, purgeAfterDays } = options;
  const intervalMs = options.intervalMs ?? 3_600_000;
  let running: Promise<number> | null = null;
  const runNow = (): Promise<number> => {
    running ??= purgeExpiredSubjects(db, clock.now(), purgeAfterDays, { batchSize: options.batchSize ?? 500 })
      .then((purged) => {
        if (purged > 0) logger.info({ purged, purgeAfterDays }, 'purged subject identities of requests final long enough');
        return purged;
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'subject purge failed; it runs again at the next interval');
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
