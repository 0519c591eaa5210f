// Runs checkpoints in every worker process that can sign them: each looks every minute (or every
// interval, if shorter) whether the latest checkpoint is `audit.checkpointMinutes` old, and the first to
// find it so makes the next one under an advisory lock, so replicas do not make one each.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import type { EvidenceSigningKey } from '../evidence/signing-key.ts';
import type { Logger } from '../logger.ts';
import { createCheckpoint } from './create-checkpoint.ts';

export type CheckpointSchedule = { runNow(): Promise<number | null>; stop(): Promise<void> };

export type CheckpointScheduleOptions = {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  key: EvidenceSigningKey;
  /** audit.checkpointMinutes */
  intervalMinutes: number;
};

export function startCheckpoints(options: CheckpointScheduleOptions): CheckpointSchedule {
  const intervalMs = options.intervalMinutes * 60_000;
  const tickMs = Math.min(intervalMs, 60_000);
  let running: Promise<number | null> | null = null;
  const runNow = (): Promise<number | null> => {
    // A tick's worth of slack: a checkpoint made one tick early beats one made a whole tick late.
    running ??= createCheckpoint(options.db, { key: options.key, now: options.clock.now(), minIntervalMs: intervalMs - tickMs / 2 })
      .then((row) => {
        if (row !== null) options.logger.info({ checkpoint: Number(row.id), treeSize: row.tree_size }, 'signed an audit checkpoint');
        return row === null ? null : Number(row.id);
      })
      .catch((err: unknown) => {
        options.logger.error({ err }, 'audit checkpoint failed; the next tick tries again');
        return null;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const first = setTimeout(() => void runNow(), Math.round(Math.random() * Math.min(tickMs, 10_000)));
  const timer = setInterval(() => void runNow(), tickMs);
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
