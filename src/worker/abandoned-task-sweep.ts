// The abandoned-task sweep: now and then, tasks nobody will finish fail — those of a connection that is
// configured nowhere any more (`connection_removed`), and those past the age limit that no claim takes
// (held by their connection's check, paused, or of a type no worker runs): db/sql/fail-abandoned-tasks.ts.
// Without it their request would stay `in_progress` for ever and its subject would never be purged.
// Every worker runs one; the statement is safe to run concurrently.
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { startPeriodic, type Periodic } from './periodic.ts';
import type { AbandonedTaskQueries } from './queries.ts';

export type AbandonedTaskSweepOptions = {
  actor: string;
  intervalMs: number;
  /** Connections this worker has configured. */
  configured: readonly string[];
  removedAfterSeconds: number;
  maxTaskAgeSeconds: number;
  queries: AbandonedTaskQueries;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
};

export type AbandonedTaskSweep = Periodic<number>;

export function startAbandonedTaskSweep(o: AbandonedTaskSweepOptions): AbandonedTaskSweep {
  return startPeriodic(o.intervalMs, async () => {
    let total = 0;
    try {
      for (;;) {
        const failed = await o.queries.failAbandonedTasks({
          now: o.clock.now(),
          actor: o.actor,
          configured: o.configured,
          removedAfterSeconds: o.removedAfterSeconds,
          maxTaskAgeSeconds: o.maxTaskAgeSeconds,
          limit: 500,
        });
        for (const t of failed) o.metrics.taskSettlements.inc({ type: t.type, state: 'failed' });
        const removed = failed.filter((t) => t.code === 'connection_removed');
        if (removed.length > 0) o.logger.warn({ count: removed.length, connections: [...new Set(removed.map((t) => t.connection))] }, 'failed tasks of connections no longer configured');
        if (failed.length > removed.length) o.logger.warn({ count: failed.length - removed.length }, 'failed unclaimed tasks past the age limit');
        total += failed.length;
        if (failed.length < 500) return total;
      }
    } catch (err) {
      o.logger.error({ err }, 'abandoned-task sweep failed; it runs again at the next interval');
      return total;
    }
  });
}
