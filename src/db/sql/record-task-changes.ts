// The second half of every transaction that changes task states (settle, sweep, release): refresh the
// touched requests' status, add `request.status_changed` where it changed, and append all the events
// to each request's chain. The caller holds the requests' row locks (taken before the task rows).
import { appendEventsToRequests } from '../events.ts';
import type { NewEvent } from '../../domain/new-event.ts';
import { refreshRequestStatuses, type StatusChange } from '../request-status.ts';
import type { DB } from '../schema.ts';
import type { JsonObject } from '../../domain/json.ts';
import type { Kysely } from 'kysely';

export async function recordTaskChanges(
  trx: Kysely<DB>,
  eventsByRequest: ReadonlyMap<string, readonly NewEvent[]>,
  actor: string,
  now: Date,
): Promise<Map<string, StatusChange>> {
  const requestIds = [...eventsByRequest.keys()];
  const changes = await refreshRequestStatuses(trx, requestIds, now);
  const all = new Map<string, NewEvent[]>();
  for (const requestId of requestIds) {
    const events = [...eventsByRequest.get(requestId)!];
    const change = changes.get(requestId);
    if (change?.changed) {
      events.push({ type: 'request.status_changed', actor, at: now, data: { from: change.before, to: change.after, progress: change.counts as JsonObject } });
    }
    all.set(requestId, events);
  }
  await appendEventsToRequests(trx, all);
  return changes;
}

/** Groups events by request id. */
export function eventsByRequest<T>(items: readonly T[], requestOf: (item: T) => string, eventsOf: (item: T) => readonly NewEvent[]): Map<string, NewEvent[]> {
  const out = new Map<string, NewEvent[]>();
  for (const item of items) {
    const id = requestOf(item);
    const list = out.get(id) ?? [];
    list.push(...eventsOf(item));
    out.set(id, list);
  }
  return out;
}
