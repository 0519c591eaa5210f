// What the skip and resolve routes share: the deps their service takes, and how its result is answered.
import { problem } from '../../../domain/errors.ts';
import { getRequestResource } from '../../../services/request-view.ts';
import { taskNotFound, type CloseTaskOptions, type CloseTaskResult } from '../../../services/close-task.ts';
import { subjectHashKey } from '../../../services/submit-request.ts';
import { getTaskResource } from '../../../services/task-view.ts';
import type { Caller } from '../../../domain/caller.ts';
import type { AppDeps, ZodApp } from '../../app-deps.ts';

/** Also the console's (console/routes/close-task-actions.ts): the same evidence signer and clock. */
export function closeTaskOptions(deps: AppDeps, caller: Caller): CloseTaskOptions {
  const { clock, ids } = deps;
  return { caller, now: clock.now(), ids, evidence: { key: deps.evidenceKey, hashKey: subjectHashKey(deps.config), ids } };
}

/** Why the task was not closed (the 409's detail, the console's notice); null when it was. */
export function closeTaskRefusal(result: CloseTaskResult, retryHint: string): string | null {
  switch (result.kind) {
    case 'running':
      return 'A worker is executing this task right now; try again once it has settled.';
    case 'final':
      return `The task is final already (${result.state}); only tasks that are not final, or failed, can be closed.`;
    case 'callback':
      return `The task is a callback delivery, not erasure work; re-drive it ${retryHint}.`;
    case 'closed':
      return null;
  }
}

export async function closeTaskAnswer(app: ZodApp, requestId: string, taskId: string, caller: Caller, result: CloseTaskResult) {
  const refusal = closeTaskRefusal(result, 'with POST /v1/erasure-requests/{id}/retry');
  if (refusal !== null) throw problem('task-not-closable', refusal);
  app.deps.wakeWorkers?.();
  const { database, clock } = app.deps;
  const task = await getTaskResource(database.db, requestId, taskId, caller);
  if (task === undefined) throw taskNotFound(requestId, taskId);
  return { request: await getRequestResource(database.db, requestId, clock.now(), caller), task };
}
