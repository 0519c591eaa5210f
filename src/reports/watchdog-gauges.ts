// The watchdog's gauges, read from the database at scrape (at most once per `minIntervalMs`), so every
// replica reports the same numbers (aggregate them with `max`):
// - erasure_gateway_stalled_tasks{connection,type}: open tasks marked stalled (worker/watchdog.ts);
// - erasure_gateway_oldest_open_task_age_seconds{connection,state}: age of the oldest open erasure task;
// - erasure_gateway_requests_due_within{window="7d"}: open requests due in the next 7 days — not yet
//   overdue (those are gateway_erasure_requests_overdue): what must finish this week.
// A series seen once stays, at 0, when its count goes away, so an alert on it resolves.
import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import { countOpenRequestsDue, countStalledTasksByConnection, oldestOpenTasks } from '../db/sql/watchdog-counts.ts';

export const DUE_WITHIN_WINDOWS = { '7d': 7 * 24 * 3_600_000 } as const;

type Reading = { stalled: Map<string, number>; oldest: Map<string, number>; due: Map<string, number> };
const key = (...labels: string[]) => JSON.stringify(labels);

/** Every label set seen so far with its value now (0 once it is gone), remembering the new ones. */
function withSeen(now: ReadonlyMap<string, number>, seen: Set<string>): Array<[string[], number]> {
  for (const k of now.keys()) seen.add(k);
  return [...seen].map((k) => [JSON.parse(k) as string[], now.get(k) ?? 0]);
}

export function registerWatchdogGauges(registry: Registry, db: Kysely<DB>, clock: Clock, options: { minIntervalMs?: number } = {}): void {
  let last = -Infinity;
  let reading: Reading = { stalled: new Map(), oldest: new Map(), due: new Map() };
  const seen = { stalled: new Set<string>(), oldest: new Set<string>() };
  let refreshing: Promise<void> | null = null;
  const refresh = () => {
    refreshing ??= (async () => {
      const now = clock.now();
      if (now.getTime() - last < (options.minIntervalMs ?? 5_000)) return;
      try {
        const [stalled, oldest] = [await countStalledTasksByConnection(db), await oldestOpenTasks(db)];
        const due = new Map<string, number>();
        for (const [window, ms] of Object.entries(DUE_WITHIN_WINDOWS)) due.set(window, await countOpenRequestsDue(db, now, new Date(now.getTime() + ms)));
        reading = {
          stalled: new Map(stalled.map((r) => [key(r.connection, r.type), r.n])),
          oldest: new Map(oldest.map((r) => [key(r.connection, r.state), Math.max(0, (now.getTime() - r.oldest.getTime()) / 1000)])),
          due,
        };
        last = now.getTime();
      } catch {
        // Database unreachable during a scrape: keep the last values; /readyz reports the outage.
      }
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  };
  new Gauge({
    name: 'erasure_gateway_stalled_tasks',
    help: 'Open tasks past their expected wait (watchdog), by connection (empty for callbacks) and type; all replicas',
    labelNames: ['connection', 'type'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      for (const [[connection = '', type = ''], n] of withSeen(reading.stalled, seen.stalled)) this.set({ connection, type }, n);
    },
  });
  new Gauge({
    name: 'erasure_gateway_oldest_open_task_age_seconds',
    help: 'Age of the oldest open (pending, running, waiting) erasure task, by connection and state; all replicas',
    labelNames: ['connection', 'state'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      for (const [[connection = '', state = ''], n] of withSeen(reading.oldest, seen.oldest)) this.set({ connection, state }, n);
    },
  });
  new Gauge({
    name: 'erasure_gateway_requests_due_within',
    help: 'Open requests (neither completed nor cancelled) due within the window from now, not yet overdue; all replicas',
    labelNames: ['window'] as const,
    registers: [registry],
    async collect() {
      await refresh();
      for (const window of Object.keys(DUE_WITHIN_WINDOWS)) this.set({ window }, reading.due.get(window) ?? 0);
    },
  });
}
