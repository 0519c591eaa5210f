// Prometheus metrics, one registry per process (tests build their own).
import type { Kysely } from 'kysely';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { countBlockedTasks, type HeldConnection } from './db/sql/count-blocked-tasks.ts';
import { countTasksByState } from './db/sql/count-tasks-by-state.ts';
import type { DB } from './db/schema.ts';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'API request latency by route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    requestsCreated: new Counter({
      name: 'gateway_erasure_requests_created_total',
      help: 'Erasure requests accepted',
      labelNames: ['regulation'] as const,
      registers: [registry],
    }),
    upstreamCalls: new Histogram({
      name: 'gateway_upstream_call_duration_seconds',
      help: 'Upstream calls by connection, operation and outcome',
      labelNames: ['connection', 'operation', 'outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    taskSettlements: new Counter({
      name: 'gateway_task_settlements_total',
      help: 'Task state changes made by workers, by task type and new state',
      labelNames: ['type', 'state'] as const,
      registers: [registry],
    }),
    // Worker engine (src/worker): claims, leases, pacing.
    tasksClaimed: new Counter({
      name: 'gateway_tasks_claimed_total',
      help: 'Tasks claimed by this worker, by how (unpaced claim, or paced claim with a permit)',
      labelNames: ['mode'] as const,
      registers: [registry],
    }),
    tasksInFlight: new Gauge({
      name: 'gateway_worker_tasks_in_flight',
      help: 'Tasks this worker holds (executing or settling)',
      registers: [registry],
    }),
    settleBatches: new Histogram({
      name: 'gateway_settle_batch_size',
      help: 'Tasks settled per settle transaction',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128],
      registers: [registry],
    }),
    settlementsLost: new Counter({
      name: 'gateway_settlements_lost_total',
      help: 'Settlements dropped because the lease was gone (expired and returned, or taken by another worker)',
      registers: [registry],
    }),
    leasesExpired: new Counter({
      name: 'gateway_leases_expired_total',
      help: 'Running tasks whose lease expired and that the sweeper returned to the queue',
      registers: [registry],
    }),
    pacingPermits: new Counter({
      name: 'gateway_pacing_permits_total',
      help: 'Pacing decisions per connection: permits granted, and claims refused because no slot was free (by reason)',
      labelNames: ['connection', 'result'] as const,
      registers: [registry],
    }),
    pacingInFlight: new Gauge({
      name: 'gateway_pacing_in_flight',
      help: 'Upstream calls in flight per connection, as seen by the last paced claim (all replicas)',
      labelNames: ['connection'] as const,
      registers: [registry],
    }),
    connectionPauses: new Counter({
      name: 'gateway_connection_pauses_total',
      help: 'Connections paused because the upstream answered "rate limited"',
      labelNames: ['connection'] as const,
      registers: [registry],
    }),
    tasksStalled: new Counter({
      name: 'erasure_gateway_tasks_stalled_total',
      help: 'Tasks this process\'s watchdog found open past their expected wait (each counted once, by the replica that marked it)',
      labelNames: ['connection', 'type'] as const,
      registers: [registry],
    }),
    connectionChecks: new Counter({
      name: 'gateway_connection_checks_total',
      help: 'Connection checks made by this process, by connection and result (ok, auth_failed, unexpected_answer, unreachable)',
      labelNames: ['connection', 'result'] as const,
      registers: [registry],
    }),
  };
}

/**
 * Connections whose last check holds their deletions, and the open tasks waiting on them
 * (`blocked_by_connection`), read from the database at scrape (at most once per `minIntervalMs`).
 */
export function registerConnectionHoldGauges(metrics: Metrics, db: Kysely<DB>, options: { minIntervalMs?: number } = {}): void {
  let last = 0;
  let cached: HeldConnection[] = [];
  const refresh = async () => {
    const now = Date.now();
    if (now - last < (options.minIntervalMs ?? 5_000)) return;
    try {
      cached = await countBlockedTasks(db);
      last = now;
    } catch {
      // Database unreachable: keep the last counts (gateway_tasks says the same).
    }
  };
  new Gauge({
    name: 'gateway_connection_blocked',
    help: '1 for each connection whose last check (auth_failed, unexpected_answer) holds its deletions; all replicas',
    labelNames: ['connection', 'result'] as const,
    registers: [metrics.registry],
    async collect() {
      await refresh();
      this.reset();
      for (const h of cached) this.set({ connection: h.connection, result: h.result }, 1);
    },
  });
  new Gauge({
    name: 'gateway_tasks_blocked_by_connection',
    help: 'Open tasks (pending, waiting) not sent because their connection is held by its last check; all replicas',
    labelNames: ['connection'] as const,
    registers: [metrics.registry],
    async collect() {
      await refresh();
      this.reset();
      for (const h of cached) this.set({ connection: h.connection }, h.tasks);
    },
  });
}

/**
 * Tasks by type and state, counted in the database when /metrics is scraped (at most once per
 * `minIntervalMs`, so frequent scrapes do not each run the count).
 */
export function registerDatabaseGauges(metrics: Metrics, db: Kysely<DB>, options: { minIntervalMs?: number } = {}): Gauge<'type' | 'state'> {
  let last = 0;
  let cached: Array<{ type: string; state: string; n: number }> = [];
  return new Gauge({
    name: 'gateway_tasks',
    help: 'Unfinished tasks (pending, running, waiting) by type and state, all replicas; read from the database at scrape',
    labelNames: ['type', 'state'] as const,
    registers: [metrics.registry],
    async collect() {
      const now = Date.now();
      if (now - last >= (options.minIntervalMs ?? 5_000)) {
        try {
          cached = await countTasksByState(db);
          last = now;
        } catch {
          // Database unreachable: /metrics still answers (with the last counts) so the outage is visible.
        }
      }
      this.reset();
      for (const r of cached) this.set({ type: r.type, state: r.state }, r.n);
    },
  });
}

export { Gauge, Counter, Histogram };
