// The audit events of a discovery page: the usual ones (the call, the state change), plus what the page
// counted (`discovery.page`) and, once the whole range is searched, what was searched (`discovery.completed`:
// range, windows or agents, pages, seen and matched, the identifiers as keyed hashes). Counts and hashes
// only: the identifiers searched for never enter the trail. What a page added to the request is recorded
// by the settlement itself (`discovery.tasks_added`).
import type { JsonObject } from '../domain/json.ts';
import type { NewEvent } from '../domain/new-event.ts';
import { settlementEvents } from '../domain/settlement.ts';
import type { SettlementEventInput } from '../domain/task-execution.ts';

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Top-level counters of a cursor (numbers and booleans), and its `found` counts. */
function counters(discovery: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(discovery)) if (typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  if (isObject(discovery.found)) out.found = Object.fromEntries(Object.entries(discovery.found).filter(([, v]) => typeof v === 'number'));
  return out;
}

export function discoveryEvents(input: SettlementEventInput): NewEvent[] {
  const events = settlementEvents(input);
  const { task, plan, result, actor, now } = input;
  const discovery = plan.upstreamRef?.discovery;
  const kind = result.outcome.kind;
  // Only a page read moves the cursor (a retried one leaves it as it was).
  if (result.call === undefined || !isObject(discovery) || (kind !== 'continue' && kind !== 'succeeded' && kind !== 'not_found')) return events;
  events.push({ type: 'discovery.page', actor, at: now, taskId: task.id, data: { kind: discovery.kind ?? null, ...counters(discovery) } });
  if (kind !== 'continue') events.push({ type: 'discovery.completed', actor, at: now, taskId: task.id, data: { result: kind, ...discovery } });
  return events;
}
