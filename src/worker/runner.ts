// Executing claimed tasks: one upstream call each (the executor's), at the pacing permit's start and not
// before, with this worker's capacity counted from claim to settlement. No transaction is open here: the
// result goes to the settler.
import type { Clock, IdSource } from '../clock.ts';
import type { ClaimedTask, ExecutionResult, Executors } from '../domain/task-execution.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Executed } from './settler.ts';

export type RunnerOptions = {
  executors: Executors;
  /** Tasks held at once (executing or settling). */
  concurrency: number;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  metrics: Metrics;
  /** The answer came: close the permit now (the settlement would be later). */
  finishPermit(permitId: number, endedAt: number): void;
  settle(executed: Executed): void;
};

export type Runner = {
  begin(task: ClaimedTask, permitId: number | undefined, startInMs: number): void;
  /** Tasks this worker may still take on. */
  free(): number;
  /** Tasks held (from claim until their settlement is done). */
  held(): number;
  /** A settlement of `n` tasks is done (written or given up): their capacity is free again. */
  release(n: number): void;
  /** Forced shutdown: abort every call in flight; resolves when their executions have returned. */
  abortAll(): Promise<void>;
};

export function createRunner(o: RunnerOptions): Runner {
  const { executors, clock, ids, logger, metrics } = o;
  const abort = new AbortController();
  const running = new Set<Promise<void>>();
  let held = 0;
  const setHeld = (delta: number) => {
    held += delta;
    metrics.tasksInFlight.set(held);
  };

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
      setHeld(-1);
      return;
    }
    // A rate-limited answer keeps its permit open until the settlement, which pauses the connection in
    // the same transaction: closing it first would let another claim slip in before the pause.
    const pauses = result.outcome.kind === 'retry' && result.outcome.pauseConnectionMs !== undefined;
    if (permitId !== undefined && result.call !== undefined && !pauses) o.finishPermit(permitId, endedAt);
    o.settle({ task, result, permitId, endedAt });
  }

  return {
    begin(task, permitId, startInMs) {
      setHeld(1);
      // A reserved permit starts in the (near) future: the call must not go out before it.
      const started = startInMs > 0 ? new Promise((r) => setTimeout(r, startInMs)) : Promise.resolve();
      const p = started.then(() => execute(task, permitId)).catch((err: unknown) => {
        logger.error({ err, task: task.id }, 'task execution crashed the worker loop');
        setHeld(-1);
      });
      running.add(p);
      void p.finally(() => running.delete(p));
    },
    free: () => o.concurrency - held,
    held: () => held,
    release: (n) => setHeld(-n),
    async abortAll() {
      abort.abort();
      await Promise.allSettled([...running]);
    },
  };
}
