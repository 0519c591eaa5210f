// The fan-out engine, wired from its parts: the claimer (claimer.ts) fills free capacity with due tasks
// leased to this worker, the runner (runner.ts) executes them (one upstream call each, no transaction
// open), the settler (settler.ts) writes the results in short batched transactions, the sweeper
// (sweeper.ts) returns expired leases, and the abandoned-task sweep (abandoned-task-sweep.ts) fails the
// tasks nobody will finish, and the watchdog (watchdog.ts) marks the tasks open past their expected wait.
// The parts are given their database operations (queries.ts).
// Wake-ups: NOTIFY (wake-listener.ts), in-process wake(), the claimer's timers, and polling as the
// fallback. stop(): stop claiming, let in-flight work finish for shutdownGraceMs, then abort it and
// hand the held tasks back.
import { hostname } from 'node:os';
import type { Clock, IdSource } from '../clock.ts';
import type { GatewayConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { SettleHooks } from '../db/sql/settle-tasks.ts';
import type { Executors } from '../domain/task-execution.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { createClaimer } from './claimer.ts';
import { createUpstreamExecutors } from './executors.ts';
import { isPaced } from './pacing.ts';
import type { SettlementSettings } from './plan-settlement.ts';
import { workerQueries } from './queries.ts';
import { createRunner } from './runner.ts';
import { createSettler } from './settler.ts';
import { startSweeper } from './sweeper.ts';
import { startAbandonedTaskSweep } from './abandoned-task-sweep.ts';
import { startWatchdog } from './watchdog.ts';
import { startWakeListener, type WakeListener } from './wake-listener.ts';

export type WorkerDeps = {
  config: Pick<GatewayConfig, 'file' | 'secrets'>;
  database: Database;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  metrics: Metrics;
  /** Executors by task type, replacing the defaults (tests). Default: the upstream executors for the configured connections. */
  executors?: Executors;
  /** Added to the default upstream executors, e.g. `{ callback: createCallbackExecutor(…) }`. */
  extraExecutors?: Executors;
  /** Hooks run inside settle transactions (e.g. queue a callback when a request becomes final). */
  hooks?: SettleHooks;
  workerId?: string;
  /** LISTEN for NOTIFY wake-ups (default true; polling works without). */
  listen?: boolean;
  /** A task's call was refused (401/403): the connection's key may have been revoked (the caller checks it soon). */
  onCallRefused?: (connection: string) => void;
};

export type Worker = {
  readonly id: string;
  /** Look for due work now (e.g. right after the intake committed new tasks in this process). */
  wake(): void;
  /** Graceful, then forceful after shutdownGraceMs; resolves when every held task is settled or handed back. */
  stop(): Promise<void>;
};

export function startWorker(deps: WorkerDeps): Worker {
  const { config, database, clock, ids, metrics } = deps;
  const s = config.file.worker;
  const id = deps.workerId ?? `${hostname()}/${process.pid}/${ids.uuid().slice(0, 8)}`;
  const actor = `worker:${id}`;
  const logger = deps.logger.child({ worker: id });
  const own = deps.executors === undefined ? createUpstreamExecutors(config, deps.extraExecutors) : null;
  const executors: Executors = deps.executors ?? own!.executors;
  const types = Object.keys(executors);
  const connections = config.file.connections;
  const queries = workerQueries(database.db);
  const settings: SettlementSettings = {
    backoff: { baseMs: s.backoffBaseMs, capMs: s.backoffCapMs },
    maxAttempts: s.maxAttempts,
    maxTaskAgeMs: s.maxTaskAgeHours * 3_600_000,
  };
  let stopping = false;

  const runner = createRunner({
    executors,
    concurrency: s.concurrency,
    clock,
    ids,
    logger,
    metrics,
    finishPermit: (permitId, endedAt) => settler.finishPermit(permitId, endedAt),
    settle: (executed) => {
      const status = executed.result.call?.status;
      if ((status === 401 || status === 403) && executed.task.connection !== null) deps.onCallRefused?.(executed.task.connection);
      settler.settle(executed);
    },
  });
  const claimer = createClaimer({
    owner: id,
    connections,
    types,
    batchSize: s.batchSize,
    leaseSeconds: s.leaseSeconds,
    queries,
    clock,
    logger,
    metrics,
    free: () => runner.free(),
    onClaimed: (task, permitId, startInMs) => runner.begin(task, permitId, startInMs),
  });
  const settler = createSettler({
    owner: id,
    actor,
    executors,
    settings,
    queries,
    hooks: deps.hooks,
    clock,
    newTaskId: () => ids.uuid(),
    logger,
    metrics,
    onSettled({ settled, lost, requestBecameFinal, tasksAdded, now }) {
      for (const st of settled) {
        if (st.plan.finishedAt !== null) continue;
        const dueIn = st.plan.nextAttemptAt.getTime() - now.getTime();
        if (dueIn <= s.pollIntervalMs) claimer.wakeAfter(dueIn);
      }
      for (const st of [...settled, ...lost]) claimer.taskSettled(st.task.connection, st.plan.pauseConnectionMs !== undefined);
      if (requestBecameFinal || tasksAdded > 0) claimer.wake();
    },
    onBatchDone(size) {
      runner.release(size);
      if (!stopping) claimer.kick();
    },
  });
  const sweeper = startSweeper({
    actor,
    intervalMs: s.sweepIntervalMs,
    maxAttempts: s.maxAttempts,
    longestWindowSeconds: Math.max(60, ...connections.flatMap((c) => c.limits.windows.map((w) => w.seconds))),
    queries,
    hooks: deps.hooks,
    clock,
    logger,
    metrics,
    onReturned: () => claimer.wake(),
  });
  const abandoned = startAbandonedTaskSweep({
    actor,
    intervalMs: s.sweepIntervalMs * 12,
    configured: connections.map((c) => c.name),
    // Every process that has a connection checks it every interval: three without a check, and it is gone.
    removedAfterSeconds: s.connectionCheckIntervalSeconds * 3,
    maxTaskAgeSeconds: s.maxTaskAgeHours * 3600,
    queries,
    clock,
    logger,
    metrics,
  });
  const watchdog = startWatchdog({ file: config.file, intervalMs: config.file.watchdog.intervalSeconds * 1000, queries, clock, logger, metrics });
  const pollTimer = setInterval(() => claimer.wake(), s.pollIntervalMs);
  const listener: WakeListener | null = deps.listen === false ? null : startWakeListener({ url: database.url, onNotify: () => claimer.wake(), logger });
  // Leases are not renewed: one execution is one upstream call, bounded by the connection's timeout.
  const slowest = Math.max(0, ...connections.map((c) => c.requestTimeoutMs));
  if (s.leaseSeconds * 1000 <= slowest) {
    logger.warn({ leaseSeconds: s.leaseSeconds, requestTimeoutMs: slowest }, 'worker.leaseSeconds should exceed every requestTimeoutMs, or slow calls lose their lease and run twice');
  }
  const paced = connections.filter((c) => isPaced(c.limits)).map((c) => c.name);
  const unpaced = connections.filter((c) => !isPaced(c.limits)).map((c) => c.name);
  logger.info({ types, paced, unpaced, concurrency: s.concurrency }, 'worker started');
  claimer.kick();

  async function shutdown(): Promise<void> {
    stopping = true;
    clearInterval(pollTimer);
    sweeper.stop();
    await abandoned.stop();
    await watchdog.stop();
    await listener?.close();
    await claimer.stop();
    const deadline = performance.now() + s.shutdownGraceMs;
    const pause = () => new Promise((r) => setTimeout(r, 20));
    while ((runner.held() > 0 || settler.busy()) && performance.now() < deadline) await pause();
    const forced = runner.held() > 0;
    if (forced) {
      logger.warn({ inFlight: runner.held() }, 'grace period over: aborting in-flight calls and handing their tasks back');
      await runner.abortAll();
      while (settler.busy()) await pause();
    }
    try {
      const released = await queries.releaseHeldTasks({ owner: id, actor, now: clock.now() });
      if (released > 0) logger.info({ released }, 'handed held tasks back');
    } catch (err) {
      logger.error({ err }, 'could not hand held tasks back; their leases will expire');
    }
    await own?.close();
    logger.info({ forced }, 'worker stopped');
  }

  let stopped: Promise<void> | null = null;
  return {
    id,
    wake: () => claimer.wake(),
    stop() {
      stopped ??= shutdown();
      return stopped;
    },
  };
}
