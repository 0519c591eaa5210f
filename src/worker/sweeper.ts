// The sweeper: returns tasks whose lease expired (a worker crashed, hung or lost the database) to the
// queue, and now and then deletes pacing permits too old to count in any window. Every worker runs
// one; the statements are safe to run concurrently.
import type { Clock } from '../clock.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { SweepQueries } from './queries.ts';
import type { SettleHooks } from '../db/sql/settle-tasks.ts';

export type SweeperOptions = {
  actor: string;
  intervalMs: number;
  maxAttempts: number;
  /** Permits whose end is older than this cannot count in any window. */
  longestWindowSeconds: number;
  queries: SweepQueries;
  /** The settle hooks: a task failed by the sweeper may make its request final. */
  hooks?: SettleHooks | undefined;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Tasks went back to the queue: claim them. */
  onReturned(): void;
};

export type Sweeper = { stop(): void };

const PERMIT_CLEANUP_EVERY_SWEEPS = 12;

export function startSweeper(o: SweeperOptions): Sweeper {
  let sweeps = 0;
  let sweeping = false;
  let stopping = false;
  const sweep = async () => {
    if (sweeping || stopping) return;
    sweeping = true;
    try {
      const returned = await o.queries.returnExpiredLeases({ now: o.clock.now(), actor: o.actor, maxAttempts: o.maxAttempts, limit: 500, ...(o.hooks === undefined ? {} : { hooks: o.hooks }) });
      if (returned.length > 0) {
        o.metrics.leasesExpired.inc(returned.length);
        o.logger.warn({ count: returned.length, owners: [...new Set(returned.map((r) => r.leaseOwner))] }, 'returned tasks whose lease expired');
        o.onReturned();
      }
      sweeps += 1;
      if (sweeps % PERMIT_CLEANUP_EVERY_SWEEPS === 1) await o.queries.deleteOldPermits({ olderThanSeconds: o.longestWindowSeconds + 60, limit: 10_000 });
    } catch (err) {
      o.logger.error({ err }, 'lease sweep failed');
    } finally {
      sweeping = false;
    }
  };
  const timer = setInterval(() => void sweep(), o.intervalMs);
  void sweep();
  return {
    stop() {
      stopping = true;
      clearInterval(timer);
    },
  };
}
