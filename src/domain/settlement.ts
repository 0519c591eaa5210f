// What a settlement decides for one executed task (the plan the worker writes), and the audit events a
// settlement records by default. Pure: the worker plans (worker/plan-settlement.ts), the database writes
// (db/sql/settle-tasks.ts), and task types with events of their own (callbacks) build on these.
import type { JsonObject } from './json.ts';
import type { NewEvent } from './new-event.ts';
import type { ClaimedTask, ExecutionResult } from './task-execution.ts';
import type { TaskState } from './types.ts';

export type TaskUpdatePlan = {
  state: TaskState;
  phase: string;
  attempts: number;
  nextAttemptAt: Date;
  upstreamRef: JsonObject | null;
  lastError: JsonObject | null;
  finishedAt: Date | null;
  /** Set when this execution sent something upstream (the task can no longer be cancelled). */
  sentAt: Date | null;
  /** Whether the execution was a failed attempt (for metrics and the event). */
  failedAttempt: boolean;
  /** Pause the whole connection this long (the upstream said "rate limited"). */
  pauseConnectionMs?: number;
};

export type SettlementEventInput = {
  task: ClaimedTask;
  plan: TaskUpdatePlan;
  result: ExecutionResult;
  actor: string;
  now: Date;
};

/**
 * The audit events of one settlement: the upstream call (method, path template, status, latency,
 * upstream reference) and the state change. Never a locator value, a raw body or an error message
 * (those may carry identifiers): errors appear as kind/status/code only.
 */
export function settlementEvents({ task, plan, result, actor, now }: SettlementEventInput): NewEvent[] {
  const events: NewEvent[] = [];
  const { call } = result;
  if (call !== undefined) {
    const data: JsonObject = {
      connection: task.connection,
      operation: call.operation,
      method: call.method,
      path: call.pathTemplate,
      status: call.status,
      latencyMs: call.latencyMs,
      outcome: result.outcome.kind,
    };
    if (call.transportError !== undefined) data.transportError = call.transportError;
    if (call.ref !== undefined) data.upstreamRef = call.ref;
    events.push({ type: 'upstream.call', actor, at: now, taskId: task.id, data });
  }
  if (plan.state !== task.claimedFrom || plan.phase !== task.phase || plan.failedAttempt) {
    const data: JsonObject = {
      from: task.claimedFrom,
      to: plan.state,
      phase: plan.phase,
      attempts: plan.attempts,
    };
    if (plan.phase !== task.phase) data.fromPhase = task.phase;
    if (plan.finishedAt === null) data.nextAttemptAt = plan.nextAttemptAt.toISOString();
    if (plan.state === 'succeeded' || plan.state === 'not_found') data.upstreamRef = plan.upstreamRef;
    if (plan.lastError !== null && plan.failedAttempt) {
      const e = plan.lastError;
      data.error = { kind: e.kind ?? null, status: e.status ?? null, code: e.code ?? null };
    }
    events.push({ type: 'task.state_changed', actor, at: now, taskId: task.id, data });
  }
  return events;
}
