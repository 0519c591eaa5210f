// Settling: executed tasks are planned (plan-settlement.ts) and written in short batched transactions
// (db/sql/settle-tasks.ts, fenced by the lease), retried a few times, one bad settlement never sinking
// the others. Permits are closed as soon as their calls answer, ahead of the settlement, so a window
// slot is known to other workers early.
import type { Clock } from '../clock.ts';
import type { Settlement, SettleHooks } from '../db/sql/settle-tasks.ts';
import { settlementEvents } from '../domain/settlement.ts';
import type { ClaimedTask, ExecutionResult, Executors } from '../domain/task-execution.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { planSettlement, type SettlementSettings } from './plan-settlement.ts';
import type { SettleQueries } from './queries.ts';

export type Executed = { task: ClaimedTask; result: ExecutionResult; permitId?: number | undefined; endedAt: number };

export type SettlerOptions = {
  owner: string;
  actor: string;
  executors: Executors;
  settings: SettlementSettings;
  queries: SettleQueries;
  hooks?: SettleHooks | undefined;
  clock: Clock;
  /** Ids of the tasks discoveries add. */
  newTaskId: () => string;
  logger: Logger;
  metrics: Metrics;
  /**
   * After each settlement: the settled and lost tasks, and whether new tasks may exist (a request became
   * final and queued its callback, or a discovery added what it found).
   */
  onSettled(outcome: { settled: Settlement[]; lost: Settlement[]; requestBecameFinal: boolean; tasksAdded: number; now: Date }): void;
  /** A batch is done (written or given up): release its capacity. */
  onBatchDone(size: number): void;
};

export type Settler = {
  settle(executed: Executed): void;
  finishPermit(permitId: number, endedAt: number): void;
  /** Settlements queued or being written. */
  busy(): boolean;
};

const SETTLE_BATCH = 64;
// One settle transaction at a time per worker: results that arrive meanwhile form the next, larger
// batch. Parallel settles of one worker mostly wait on each other's request locks and the WAL flush
// (measured: ~1,000 → ~1,600 tasks/s with 10 tasks per request on 2 cores).
const PARALLEL_SETTLES = 1;
const SETTLE_RETRIES_MS = [50, 250, 1000];

export function createSettler(o: SettlerOptions): Settler {
  const { queries, clock, logger } = o;
  const settleQueue: Executed[] = [];
  let settling = 0;
  const finishQueue: Array<{ id: number; endedAt: number }> = [];
  let finishing = false;

  function flushFinishes(): void {
    if (finishing || finishQueue.length === 0) return;
    finishing = true;
    const batch = finishQueue.splice(0, finishQueue.length);
    const at = performance.now();
    void queries
      .finishPermits(batch.map((p) => ({ id: p.id, finishedAgoMs: at - p.endedAt })))
      .catch((err: unknown) => logger.warn({ err }, 'closing pacing permits failed; the settlement closes them'))
      .finally(() => {
        finishing = false;
        flushFinishes();
      });
  }

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
      const plan = planSettlement(e.task, e.result, o.settings, now);
      return {
        task: e.task,
        plan,
        events: (o.executors[e.task.type]?.settlementEvents ?? settlementEvents)({ task: e.task, plan, result: e.result, actor: o.actor, now }),
        permitId: e.permitId,
        called: e.result.call !== undefined,
        finishedAgoMs: performance.now() - e.endedAt,
      };
    });
    try {
      await settleWithRetries(settlements, now).catch(() => {}); // logged inside; the leases will expire
    } finally {
      o.onBatchDone(batch.length);
    }
  }

  async function settleWithRetries(settlements: Settlement[], now: Date): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await queries.settleTasks({ owner: o.owner, actor: o.actor, now, settlements, hooks: o.hooks, newTaskId: o.newTaskId });
        afterSettle(result.settled, result.lost);
        // The hook may have queued new tasks (a callback) in that transaction: look for them now. Other
        // workers find them at their next poll; a NOTIFY in the settle transaction would serialise
        // every commit on Postgres's notify lock.
        const requestBecameFinal = result.statusChanges.some((c) => c.change.becameFinal);
        o.onSettled({ settled: result.settled, lost: result.lost, requestBecameFinal, tasksAdded: result.tasksAdded, now });
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

  function afterSettle(settled: Settlement[], lost: Settlement[]): void {
    const { metrics } = o;
    metrics.settleBatches.observe(settled.length + lost.length);
    for (const l of lost) {
      metrics.settlementsLost.inc();
      logger.warn({ task: l.task.id, outcome: l.plan.state }, 'settlement dropped: the lease was gone');
    }
    for (const st of settled) {
      metrics.taskSettlements.inc({ type: st.task.type, state: st.plan.state });
      if (st.plan.pauseConnectionMs !== undefined && st.task.connection !== null) {
        metrics.connectionPauses.inc({ connection: st.task.connection });
        const untilWindowRoom = st.plan.pauseUntilWindowRoomSeconds;
        logger.warn({ connection: st.task.connection, pauseMs: st.plan.pauseConnectionMs, ...(untilWindowRoom === undefined ? {} : { untilWindowRoomSeconds: untilWindowRoom }) }, 'upstream answered rate-limited; connection paused');
      }
    }
  }

  return {
    settle(executed) {
      settleQueue.push(executed);
      flushSettles();
    },
    finishPermit(id, endedAt) {
      finishQueue.push({ id, endedAt });
      flushFinishes();
    },
    busy: () => settling > 0 || settleQueue.length > 0,
  };
}
