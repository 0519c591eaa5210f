// The audit events a settlement records by default. Pure: the worker plans (worker/plan-settlement.ts),
// the database writes (db/sql/settle-tasks.ts), and task types with events of their own (callbacks)
// build on these.
import type { JsonObject } from './json.ts';
import type { NewEvent } from './new-event.ts';
import type { SettlementEventInput } from './task-execution.ts';
import { trailErrorCodes, trailReference, trailToken } from './trail-reference.ts';

/**
 * The audit events of one settlement: the upstream call (method, path template, status, latency,
 * upstream reference) and the state change. Never a locator value, a raw body or an error message
 * (those may carry identifiers): references pass the trail's allow-list (domain/trail-reference.ts),
 * errors appear as kind/status/code only.
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
    if (call.transportError !== undefined) data.transportError = trailToken(call.transportError) ?? 'transport_error';
    if (call.ref !== undefined) data.upstreamRef = trailReference(call.ref);
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
    if (plan.state === 'succeeded' || plan.state === 'not_found') data.upstreamRef = trailReference(plan.upstreamRef);
    if (plan.lastError !== null && plan.failedAttempt) data.error = trailErrorCodes(plan.lastError);
    events.push({ type: 'task.state_changed', actor, at: now, taskId: task.id, data });
  }
  return events;
}
