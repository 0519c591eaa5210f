// The fan-out engine: claim due tasks in batches (leased to this worker), execute them with bounded
// concurrency (one upstream call each), settle the results in short batched transactions. No
// transaction is open across an upstream call. Wake-ups: NOTIFY on `erasure_tasks`, in-process wake(),
// timers for work known to come due (retries, a pacing slot freeing), and polling as the fallback.
// A sweeper returns expired leases. stop(): stop claiming, let in-flight work finish for
// shutdownGraceMs, then abort it and hand the held tasks back.
import { hostname } from 'node:os';
import type { ConnectionConfig, GatewayConfig } from '../config.ts';
import type { Clock, IdSource } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { claimDueTasks } from '../db/sql/claim-due-tasks.ts';
import { claimPacedTasks } from '../db/sql/claim-paced-tasks.ts';
import { deleteOldPermits } from '../db/sql/delete-old-permits.ts';
import { finishPermits } from '../db/sql/finish-permits.ts';
import { releaseHeldTasks } from '../db/sql/release-held-tasks.ts';
import { returnExpiredLeases } from '../db/sql/return-expired-leases.ts';
import { settleTasks, type Settlement, type SettleHooks } from '../db/sql/settle-tasks.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ClaimedTask, ExecutionResult, Executors } from '../domain/task-execution.ts';
import { createUpstreamExecutors } from './executors.ts';
import { isPaced, reserveAheadMs } from './pacing.ts';
import { planSettlement, type SettlementSettings } from './plan-settlement.ts';
import { settlementEvents } from '../domain/settlement.ts';
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
};

export type Worker = {
  readonly id: string;
  /** Look for due work now (e.g. right after the intake committed new tasks in this process). */
  wake(): void;
  /** Graceful, then forceful after shutdownGraceMs; resolves when every held task is settled or handed back. */
  stop(): Promise<void>;
};

type PacedSource = {
  connection: ConnectionConfig;
  /** There may be due tasks (reset by wake-ups; cleared when a claim finds fewer than it could take). */
  due: boolean;
  /** performance.now() before which no slot is free (from the last paced claim). */
  blockedUntil: number;
  blockReason: string | null;
  permitTtlSeconds: number;
  /** Recent latency of this connection's claims that took the pacing lock (moving average, ms). */
  claimMs: number;
};

type Executed = { task: ClaimedTask; result: ExecutionResult; permitId?: number; endedAt: number };

const SETTLE_BATCH = 64;
// One settle transaction at a time per worker: results that arrive meanwhile form the next, larger
// batch. Parallel settles of one worker mostly wait on each other's request locks and the WAL flush
// (measured: ~1,000 → ~1,600 tasks/s with 10 tasks per request on 2 cores).
const PARALLEL_SETTLES = 1;
const SETTLE_RETRIES_MS = [50, 250, 1000];
const PERMIT_CLEANUP_EVERY_SWEEPS = 12;

export function startWorker(deps: WorkerDeps): Worker {
  const { config, database, clock, ids, metrics } = deps;
  const db = database.db;
  const s = config.file.worker;
  const id = deps.workerId ?? `${hostname()}/${process.pid}/${ids.uuid().slice(0, 8)}`;
  const actor = `worker:${id}`;
  const logger = deps.logger.child({ worker: id });
  const own = deps.executors === undefined ? createUpstreamExecutors(config, deps.extraExecutors) : null;
  const executors: Executors = deps.executors ?? own!.executors;
  const types = Object.keys(executors);
  const connections = config.file.connections;
  const unpaced = connections.filter((c) => !isPaced(c.limits)).map((c) => c.name);
  const paced: PacedSource[] = connections
    .filter((c) => isPaced(c.limits))
    .map((c) => ({ connection: c, due: true, blockedUntil: 0, blockReason: null, permitTtlSeconds: s.leaseSeconds + c.requestTimeoutMs / 1000 + 5, claimMs: 10 }));
  const pacedByName = new Map(paced.map((p) => [p.connection.name, p]));
  const longestWindowSeconds = Math.max(60, ...connections.flatMap((c) => c.limits.windows.map((w) => w.seconds)));
  const settleSettings: SettlementSettings = {
    backoff: { baseMs: s.backoffBaseMs, capMs: s.backoffCapMs },
    maxAttempts: s.maxAttempts,
    maxTaskAgeMs: s.maxTaskAgeHours * 3_600_000,
  };

  let stopping = false;
  let inFlight = 0;
  let genericDue = true;
  const abort = new AbortController();
  const running = new Set<Promise<void>>();
  const settleQueue: Executed[] = [];
  let settling = 0;
  const free = () => s.concurrency - inFlight;
  const setInFlight = (delta: number) => {
    inFlight += delta;
    metrics.tasksInFlight.set(inFlight);
  };

  // ---- wake-ups -------------------------------------------------------------------------------
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  const markDue = () => {
    genericDue = true;
    for (const p of paced) p.due = true;
  };
  const wakeAfter = (ms: number) => {
    if (stopping) return;
    const at = performance.now() + Math.max(0, ms);
    if (timer !== null && timerAt <= at) return;
    if (timer !== null) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = null;
      timerAt = Number.POSITIVE_INFINITY;
      markDue();
      kick();
      // Node may fire a timer up to 1 ms early; a claim that finds its slot not yet free would then
      // wait for the next poll, so aim just past the moment.
    }, Math.ceil(Math.max(0, ms)) + 1);
  };
  const wake = () => {
    markDue();
    kick();
  };

  // ---- claiming -------------------------------------------------------------------------------
  let filling: Promise<void> | null = null;
  let refill = false;
  function kick(): void {
    if (stopping) return;
    if (filling !== null) {
      refill = true;
      return;
    }
    filling = fill()
      .catch((err: unknown) => logger.error({ err }, 'claiming tasks failed; retrying at the next poll'))
      .finally(() => {
        filling = null;
        if (refill) {
          refill = false;
          kick();
        }
      });
  }

  async function fill(): Promise<void> {
    while (!stopping && free() > 0) {
      let progressed = false;
      // Paced connections first: when a pacing slot frees, its claim goes out before anything else.
      for (const p of paced) {
        if (stopping || free() <= 0) break;
        if (p.due && p.blockedUntil <= performance.now() && (await claimPaced(p)) > 0) progressed = true;
      }
      if (genericDue && free() > 0 && (await claimUnpaced()) > 0) progressed = true;
      if (!progressed) break;
    }
    // A paced connection that is saturated frees a slot at a known time: be there. One whose slot
    // freed while this fill was busy elsewhere is claimed at once, not at the next poll.
    const nowPerf = performance.now();
    for (const p of paced) {
      if (!p.due || stopping) continue;
      if (p.blockedUntil > nowPerf) wakeAfter(p.blockedUntil - nowPerf);
      else if (free() > 0) wakeAfter(0);
    }
  }

  async function claimUnpaced(): Promise<number> {
    const want = Math.min(s.batchSize, free());
    const now = clock.now();
    const tasks = await claimDueTasks(db, { owner: id, now, leaseUntil: leaseUntil(now), limit: want, types, connections: unpaced });
    if (tasks.length < want) genericDue = false;
    if (tasks.length > 0) metrics.tasksClaimed.inc({ mode: 'unpaced' }, tasks.length);
    for (const t of tasks) begin(t);
    return tasks.length;
  }

  async function claimPaced(p: PacedSource): Promise<number> {
    const want = Math.min(s.batchSize, free());
    const now = clock.now();
    const name = p.connection.name;
    const ahead = reserveAheadMs(p.claimMs);
    const started = performance.now();
    const claim = await claimPacedTasks(db, {
      connection: name,
      limits: p.connection.limits,
      owner: id,
      now,
      leaseUntil: leaseUntil(now),
      permitTtlSeconds: p.permitTtlSeconds,
      limit: want,
      types,
      reserveAheadMs: ahead,
    });
    // Only claims that took the lock tell how long a reservation takes (a no-op claim is much faster).
    if (claim.state !== null) p.claimMs = 0.7 * p.claimMs + 0.3 * (performance.now() - started);
    if (claim.state !== null) metrics.pacingInFlight.set({ connection: name }, claim.state.inFlight + claim.tasks.length);
    if (claim.tasks.length > 0) {
      metrics.tasksClaimed.inc({ mode: 'paced' }, claim.tasks.length);
      metrics.pacingPermits.inc({ connection: name, result: 'granted' }, claim.tasks.length);
    }
    for (const t of claim.tasks) begin(t, claim.permits.get(t.id), claim.startInMs.get(t.id));
    if (claim.retryInMs !== null) {
      // No slot free now (or not all wanted): wake early enough to reserve the next one (see pacing.ts).
      const wait = claim.plan.reason === 'window' ? Math.max(Math.min(claim.retryInMs, 20), claim.retryInMs - reserveAheadMs(p.claimMs)) : claim.retryInMs;
      p.blockedUntil = performance.now() + wait;
      p.blockReason = claim.plan.reason;
      if (claim.tasks.length === 0) metrics.pacingPermits.inc({ connection: name, result: claim.plan.reason });
    } else if (claim.state === null || claim.tasks.length < claim.plan.starts.length) {
      p.due = false; // fewer due tasks than free slots: nothing more to claim until a wake-up
    }
    return claim.tasks.length;
  }

  const leaseUntil = (now: Date) => new Date(now.getTime() + s.leaseSeconds * 1000);

  // ---- executing ------------------------------------------------------------------------------
  function begin(task: ClaimedTask, permitId?: number, startInMs = 0): void {
    setInFlight(1);
    // A reserved permit starts in the (near) future: the call must not go out before it.
    const started = startInMs > 0 ? new Promise((r) => setTimeout(r, startInMs)) : Promise.resolve();
    const p = started.then(() => execute(task, permitId)).catch((err: unknown) => {
      logger.error({ err, task: task.id }, 'task execution crashed the worker loop');
      setInFlight(-1);
    });
    running.add(p);
    void p.finally(() => running.delete(p));
  }

  async function execute(task: ClaimedTask, permitId: number | undefined): Promise<void> {
    const executor = executors[task.type];
    let result: ExecutionResult;
    if (executor === undefined) {
      result = { outcome: { kind: 'failed', error: { kind: 'gateway', code: 'no_executor', message: `no executor for ${task.type}` } } };
    } else {
      try {
        result = await executor.execute({ task, signal: abort.signal, now: () => clock.now(), uuid: () => ids.uuid() });
      } catch (err) {
        logger.error({ err, task: task.id, type: task.type }, 'executor threw; retrying the task');
        result = { outcome: { kind: 'retry', error: { kind: 'gateway', code: 'executor_error', message: (err as Error).message ?? 'executor error' } } };
      }
    }
    const endedAt = performance.now();
    if (result.call !== undefined) {
      metrics.upstreamCalls.observe({ connection: task.connection ?? '', operation: result.call.operation, outcome: result.outcome.kind }, result.call.latencyMs / 1000);
    }
    if (abort.signal.aborted) {
      // Forced shutdown: releaseHeldTasks hands the task back and closes its permit.
      setInFlight(-1);
      return;
    }
    // A rate-limited answer keeps its permit open until the settlement, which pauses the connection in
    // the same transaction: closing it first would let another claim slip in before the pause.
    const pauses = result.outcome.kind === 'retry' && result.outcome.pauseConnectionMs !== undefined;
    if (permitId !== undefined && result.call !== undefined && !pauses) {
      finishQueue.push({ id: permitId, endedAt });
      flushFinishes();
    }
    settleQueue.push({ task, result, permitId, endedAt });
    flushSettles();
  }

  // ---- closing permits right after the call (see finish-permits.ts) -------------------------------
  const finishQueue: Array<{ id: number; endedAt: number }> = [];
  let finishing = false;
  function flushFinishes(): void {
    if (finishing || finishQueue.length === 0) return;
    finishing = true;
    const batch = finishQueue.splice(0, finishQueue.length);
    const at = performance.now();
    void finishPermits(db, batch.map((p) => ({ id: p.id, finishedAgoMs: at - p.endedAt })))
      .catch((err: unknown) => logger.warn({ err }, 'closing pacing permits failed; the settlement closes them'))
      .finally(() => {
        finishing = false;
        flushFinishes();
      });
  }

  // ---- settling -------------------------------------------------------------------------------
  function flushSettles(): void {
    while (settling < PARALLEL_SETTLES && settleQueue.length > 0) {
      const batch = settleQueue.splice(0, SETTLE_BATCH);
      settling += 1;
      void settleBatch(batch).finally(() => {
        settling -= 1;
        flushSettles();
      });
    }
  }

  async function settleBatch(batch: Executed[]): Promise<void> {
    const now = clock.now();
    const settlements: Settlement[] = batch.map((e) => {
      const plan = planSettlement(e.task, e.result, settleSettings, now);
      return {
        task: e.task,
        plan,
        events: (executors[e.task.type]?.settlementEvents ?? settlementEvents)({ task: e.task, plan, result: e.result, actor, now }),
        permitId: e.permitId,
        called: e.result.call !== undefined,
        finishedAgoMs: performance.now() - e.endedAt,
      };
    });
    try {
      await settleWithRetries(settlements, now).catch(() => {}); // logged inside; the leases will expire
    } finally {
      setInFlight(-batch.length);
      if (!stopping) kick();
    }
  }

  async function settleWithRetries(settlements: Settlement[], now: Date): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        let requestsBecameFinal = false;
        const hook = deps.hooks?.requestBecameFinal;
        const hooks: SettleHooks | undefined =
          hook === undefined
            ? deps.hooks
            : {
                ...deps.hooks,
                requestBecameFinal: (trx, requestId, change, at) => {
                  requestsBecameFinal = true;
                  return hook(trx, requestId, change, at);
                },
              };
        const result = await settleTasks(db, { owner: id, actor, now, settlements, hooks });
        afterSettle(result.settled, result.lost, now);
        // The hook may have queued new tasks (a callback) in that transaction: look for them now. Other
        // workers find them at their next poll; a NOTIFY in the settle transaction would serialise
        // every commit on Postgres's notify lock.
        if (requestsBecameFinal) markDue();
        return;
      } catch (err) {
        if (attempt < SETTLE_RETRIES_MS.length) {
          await new Promise((r) => setTimeout(r, SETTLE_RETRIES_MS[attempt]));
          continue;
        }
        if (settlements.length > 1) {
          // One bad settlement must not sink the others.
          for (const one of settlements) await settleWithRetries([one], now).catch(() => {});
          return;
        }
        logger.error({ err, task: settlements[0]?.task.id }, 'settling a task failed; its lease will expire and it will run again');
        throw err;
      }
    }
  }

  function afterSettle(settled: Settlement[], lost: Settlement[], now: Date): void {
    metrics.settleBatches.observe(settled.length + lost.length);
    for (const l of lost) {
      metrics.settlementsLost.inc();
      logger.warn({ task: l.task.id, outcome: l.plan.state }, 'settlement dropped: the lease was gone');
    }
    for (const st of settled) {
      metrics.taskSettlements.inc({ type: st.task.type, state: st.plan.state });
      if (st.plan.pauseConnectionMs !== undefined && st.task.connection !== null) {
        metrics.connectionPauses.inc({ connection: st.task.connection });
        logger.warn({ connection: st.task.connection, pauseMs: st.plan.pauseConnectionMs }, 'upstream answered rate-limited; connection paused');
      }
      if (st.plan.finishedAt === null) {
        const dueIn = st.plan.nextAttemptAt.getTime() - now.getTime();
        if (dueIn <= s.pollIntervalMs) wakeAfter(dueIn);
      }
    }
    for (const st of [...settled, ...lost]) {
      const p = st.task.connection === null ? undefined : pacedByName.get(st.task.connection);
      if (p === undefined) continue;
      p.due = true;
      // A finished call frees a concurrency slot now; a window slot frees at a time the next claim reads.
      if (p.blockReason === 'concurrency' && st.plan.pauseConnectionMs === undefined) p.blockedUntil = 0;
    }
  }

  // ---- sweeper --------------------------------------------------------------------------------
  let sweeps = 0;
  let sweeping = false;
  const sweep = async () => {
    if (sweeping || stopping) return;
    sweeping = true;
    try {
      const returned = await returnExpiredLeases(db, { now: clock.now(), actor, maxAttempts: s.maxAttempts, limit: 500 });
      if (returned.length > 0) {
        metrics.leasesExpired.inc(returned.length);
        logger.warn({ count: returned.length, owners: [...new Set(returned.map((r) => r.leaseOwner))] }, 'returned tasks whose lease expired');
        wake();
      }
      sweeps += 1;
      if (sweeps % PERMIT_CLEANUP_EVERY_SWEEPS === 1) await deleteOldPermits(db, { olderThanSeconds: longestWindowSeconds + 60, limit: 10_000 });
    } catch (err) {
      logger.error({ err }, 'lease sweep failed');
    } finally {
      sweeping = false;
    }
  };

  // ---- start ----------------------------------------------------------------------------------
  const pollTimer = setInterval(wake, s.pollIntervalMs);
  const sweepTimer = setInterval(() => void sweep(), s.sweepIntervalMs);
  void sweep();
  const listener: WakeListener | null = deps.listen === false ? null : startWakeListener({ url: database.url, onNotify: wake, logger });
  // Leases are not renewed: one execution is one upstream call, bounded by the connection's timeout.
  const slowest = Math.max(0, ...connections.map((c) => c.requestTimeoutMs));
  if (s.leaseSeconds * 1000 <= slowest) {
    logger.warn({ leaseSeconds: s.leaseSeconds, requestTimeoutMs: slowest }, 'worker.leaseSeconds should exceed every requestTimeoutMs, or slow calls lose their lease and run twice');
  }
  logger.info({ types, paced: paced.map((p) => p.connection.name), unpaced, concurrency: s.concurrency }, 'worker started');
  kick();

  let stopped: Promise<void> | null = null;
  async function shutdown(): Promise<void> {
    stopping = true;
    clearInterval(pollTimer);
    clearInterval(sweepTimer);
    if (timer !== null) clearTimeout(timer);
    await listener?.close();
    await filling;
    const deadline = performance.now() + s.shutdownGraceMs;
    while ((inFlight > 0 || settling > 0) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const forced = inFlight > 0;
    if (forced) {
      logger.warn({ inFlight }, 'grace period over: aborting in-flight calls and handing their tasks back');
      abort.abort();
      await Promise.allSettled([...running]);
      while (settling > 0 || settleQueue.length > 0) await new Promise((r) => setTimeout(r, 20));
    }
    try {
      const released = await releaseHeldTasks(db, { owner: id, actor, now: clock.now() });
      if (released > 0) logger.info({ released }, 'handed held tasks back');
    } catch (err) {
      logger.error({ err }, 'could not hand held tasks back; their leases will expire');
    }
    await own?.close();
    logger.info({ forced }, 'worker stopped');
  }

  return {
    id,
    wake,
    stop() {
      stopped ??= shutdown();
      return stopped;
    },
  };
}
