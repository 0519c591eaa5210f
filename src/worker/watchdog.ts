// The watchdog pass: every `watchdog.intervalSeconds`, each worker reads the open tasks that may be past
// their expected wait (db/sql/watch-tasks.ts), judges each by the rule (domain/watchdog.ts), marks the
// newly stalled (stalled_since) and clears the marks of tasks back within a wait. A task is logged once,
// by the replica whose mark took (the UPDATE … WHERE stalled_since IS NULL decides), with what it waited
// for and how long — never its locator, its upstream reference or anything of the subject.
import type { Clock } from '../clock.ts';
import type { ConfigFile } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { shortestVendorBoundMs, stalledSince, type VendorWaitBounds, type WatchdogPolicy } from '../domain/watchdog.ts';
import { startPeriodic, type Periodic } from './periodic.ts';
import type { WatchdogQueries } from './queries.ts';

const HOUR_MS = 3_600_000;
const PAGE = 500;

/** Each connection's vendor-wait bounds as the engine enforces them, or the watchdog's overrides. */
export function watchdogPolicyOf(file: Pick<ConfigFile, 'connections' | 'watchdog'>): { policy: WatchdogPolicy; shortestBoundMs: number | null } {
  const o = file.watchdog.expectedWaitHours;
  const bounds = new Map<string, VendorWaitBounds>();
  for (const c of file.connections) {
    const own = c.type === 'koreai' ? { job: c.jobMaxAgeHours, recording: c.recordingMaxWaitHours, call: Infinity } : { job: Infinity, recording: Infinity, call: c.activeCallMaxWaitHours };
    bounds.set(c.name, {
      koreaiJobMs: (o.koreaiJob ?? own.job) * HOUR_MS,
      recordingInProgressMs: (o.recordingInProgress ?? own.recording) * HOUR_MS,
      activeCallMs: (o.activeCall ?? own.call) * HOUR_MS,
    });
  }
  const shortest = bounds.size === 0 ? Infinity : shortestVendorBoundMs([...bounds.values()]);
  return {
    policy: { graceMs: file.watchdog.graceMinutes * 60_000, boundsOf: (name) => bounds.get(name) },
    shortestBoundMs: Number.isFinite(shortest) ? shortest : null,
  };
}

export type WatchdogOptions = {
  file: Pick<ConfigFile, 'connections' | 'watchdog'>;
  queries: WatchdogQueries;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
};

export type WatchdogResult = { stalled: number; cleared: number };
export type Watchdog = Periodic<WatchdogResult>;

/** One pass over every open task that may be stalled; safe to run on every replica at once. */
export async function watchTasks(o: WatchdogOptions): Promise<WatchdogResult> {
  const { policy, shortestBoundMs } = watchdogPolicyOf(o.file);
  const now = o.clock.now();
  const result: WatchdogResult = { stalled: 0, cleared: 0 };
  let afterId: string | null = null;
  for (;;) {
    const rows = await o.queries.listWatchedTasks({
      now,
      graceSeconds: policy.graceMs / 1000,
      vendorOlderThanSeconds: shortestBoundMs === null ? null : shortestBoundMs / 1000,
      afterId,
      limit: PAGE,
    });
    const marks = [];
    const clears = [];
    const waited = new Map<string, { kind: string; waitingSince: Date }>();
    for (const r of rows) {
      const stall = stalledSince(
        {
          type: r.type,
          state: r.state,
          phase: r.phase,
          connection: r.connection,
          nextAttemptAt: r.next_attempt_at,
          leaseExpiresAt: r.lease_expires_at,
          upstreamRef: r.upstream_ref,
          createdAt: r.created_at,
          redrivenAt: r.redriven_at,
          connectionPausedUntil: r.paused_until,
        },
        policy,
        now,
      );
      if (stall !== null && r.stalled_since === null) {
        marks.push({ id: r.id, state: r.state, updatedAt: r.updated_at, since: stall.since });
        waited.set(r.id, stall);
      } else if (stall === null && r.stalled_since !== null) {
        clears.push({ id: r.id, updatedAt: r.updated_at });
      }
    }
    for (const t of await o.queries.markStalledTasks(marks)) {
      const stall = waited.get(t.id)!;
      o.metrics.tasksStalled.inc({ connection: t.connection ?? '', type: t.type });
      o.logger.warn(
        {
          taskId: t.id,
          type: t.type,
          connection: t.connection,
          state: t.state,
          waitingFor: stall.kind,
          waitingSeconds: Math.round((now.getTime() - stall.waitingSince.getTime()) / 1000),
          stalledSince: t.stalledSince.toISOString(),
        },
        'task stalled: open past its expected wait',
      );
      result.stalled += 1;
    }
    result.cleared += await o.queries.clearStalledTasks(clears);
    if (rows.length < PAGE) return result;
    afterId = rows.at(-1)!.id;
  }
}

export function startWatchdog(o: WatchdogOptions & { intervalMs: number }): Watchdog {
  return startPeriodic(o.intervalMs, () =>
    watchTasks(o).catch((err: unknown) => {
      o.logger.error({ err }, 'watchdog pass failed; it runs again at the next interval');
      return { stalled: 0, cleared: 0 };
    }),
  );
}
