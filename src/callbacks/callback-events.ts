// The audit events of a callback delivery's settlement: the worker's usual ones (upstream.call,
// task.state_changed) plus one an auditor can search for — `callback.delivered`, `callback.failed`
// (given up), `callback.attempt_failed` (to be retried) or `callback.superseded` (the request reopened
// before it went out) — with the receiver's status and the latency.
// Never the URL (a token may sit in its query), the body or the secret.
import type { NewEvent } from '../domain/new-event.ts';
import type { JsonObject } from '../domain/json.ts';
import { settlementEvents } from '../domain/settlement.ts';
import type { SettlementEventInput } from '../domain/task-execution.ts';
import { trailErrorCodes, trailReference } from '../domain/trail-reference.ts';

export function callbackSettlementEvents(input: SettlementEventInput): NewEvent[] {
  const { task, plan, result, actor, now } = input;
  const events = settlementEvents(input);
  const call = result.call;
  const ref = trailReference(call?.ref) ?? {};
  const data: JsonObject = {
    event: ref.event ?? null,
    host: ref.host ?? null,
    status: call?.status ?? null,
    latencyMs: call?.latencyMs ?? null,
    attempts: plan.attempts,
  };
  if (plan.state === 'succeeded') {
    events.push({ type: 'callback.delivered', actor, at: now, taskId: task.id, data });
    return events;
  }
  if (plan.state === 'cancelled') {
    events.push({ type: 'callback.superseded', actor, at: now, taskId: task.id, data: { ...data, reason: 'request_reopened' } });
    return events;
  }
  const error = trailErrorCodes(plan.lastError);
  if (plan.state === 'failed') {
    events.push({ type: 'callback.failed', actor, at: now, taskId: task.id, data: { ...data, error } });
  } else if (plan.failedAttempt) {
    events.push({ type: 'callback.attempt_failed', actor, at: now, taskId: task.id, data: { ...data, error, nextAttemptAt: plan.nextAttemptAt.toISOString() } });
  }
  return events;
}
