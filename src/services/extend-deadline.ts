// Extending a request's deadline (POST /v1/erasure-requests/{id}/extend, erasure:operate): the legal
// extension — once per request, before the original due date has passed (the person must be told within
// the first period), not for a final request, and no later than the regulation allows (the rule:
// domain/deadlines.ts refuseExtension; GDPR three calendar months from creation, CCPA 90 days, `other`
// deadlines.otherMaxDays). The request shows `extension: { previousDueAt, reason, by, at }`, the trail
// gets `request.extended` (the dates and the key; the reason, operator text, stays on the request), and
// the callback URL is called with event `request.extended` so the portal can tell the person. One
// transaction, request row locked; only the caller's own tenant's requests (services/request-access.ts).
import type { Kysely } from 'kysely';
import { randomIds, type IdSource } from '../clock.ts';
import { appendEvents } from '../db/events.ts';
import { notifyTasksAvailable } from '../db/notify.ts';
import { extendRequestDeadline, readRequestDeadline } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { enqueueCallbackTask } from '../db/tasks.ts';
import { actorOf, type Caller } from '../domain/caller.ts';
import { refuseExtension, type ExtensionRefusal } from '../domain/deadlines.ts';
import { EXTENSION_EVENT, type RequestExtension } from '../domain/erasure-request.ts';
import type { NewEvent } from '../domain/new-event.ts';
import { lockRequestForChange, requestNotFound } from './request-access.ts';

export type ExtendResult =
  | { kind: 'extended'; dueAt: Date; extension: RequestExtension; callbackTaskId: string | null }
  | { kind: 'refused'; refusal: ExtensionRefusal };

export type ExtendOptions = {
  /** Who extends: the actor in the trail and the extension's `by`, and the only tenant whose request it may be. */
  caller: Caller;
  now: Date;
  dueAt: Date;
  /** Why (1–500 characters): shown on the request and sent to the portal with the callback. */
  reason: string;
  /** deadlines.otherMaxDays: the limit for regulation `other`. */
  otherMaxDays: number;
  ids?: IdSource;
};

/** Throws requestNotFound for a request that does not exist or is not the caller's tenant's. */
export async function extendDeadline(db: Kysely<DB>, requestId: string, options: ExtendOptions): Promise<ExtendResult> {
  const { caller, now, dueAt, reason, otherMaxDays } = options;
  const actor = actorOf(caller);
  return db.transaction().execute(async (trx): Promise<ExtendResult> => {
    await lockRequestForChange(trx, caller, requestId);
    const request = await readRequestDeadline(trx, requestId);
    if (request === undefined) throw requestNotFound(requestId);
    const refusal = refuseExtension({
      regulation: request.regulation,
      createdAt: request.created_at,
      dueAt: request.due_at,
      extended: request.extension !== null,
      final: request.completed_at !== null || request.cancelled_at !== null,
      newDueAt: dueAt,
      now,
      otherMaxDays,
    });
    if (refusal !== null) return { kind: 'refused', refusal };

    const extension: RequestExtension = { previousDueAt: request.due_at.toISOString(), reason, by: actor, at: now.toISOString() };
    await extendRequestDeadline(trx, requestId, dueAt, extension, now);
    const events: NewEvent[] = [{ type: 'request.extended', actor, at: now, data: { previousDueAt: extension.previousDueAt, dueAt: dueAt.toISOString() } }];
    const callback = await enqueueCallbackTask(trx, requestId, (options.ids ?? randomIds).uuid(), now, EXTENSION_EVENT);
    if (callback !== null) {
      // As for a final state's delivery: the host only (a token may sit in the URL's query).
      events.push({ type: 'callback.scheduled', actor, at: now, taskId: callback.id, data: { event: EXTENSION_EVENT, host: new URL(callback.url).host } });
    }
    await appendEvents(trx, requestId, events);
    if (callback !== null) await notifyTasksAvailable(trx);
    return { kind: 'extended', dueAt, extension, callbackTaskId: callback?.id ?? null };
  });
}
