// What the skip and resolve routes share: the deps their service takes, and how its result is answered.
import { problem } from '../../../domain/errors.ts';
import { getRequestResource } from '../../../services/request-view.ts';
import { taskNotFound, type CloseTaskOptions, type CloseTaskResult } from '../../../services/close-task.ts';
import { subjectHashKey } from '../../../services/submit-request.ts';
import { getTaskResource } from '../../../services/task-view.ts';
import type { Caller } from '../../../domain/caller.ts';
import type { ZodApp } from '../../app-deps.ts';

export function closeTaskOptions(app: ZodApp, caller: Caller): CloseTaskOptions {
  const { clock, ids } = app.deps;
  return { caller, now: clock.now(), ids, evidence: { key: app.deps.evidenceKey, hashKey: subjectHashKey(app.deps.config), ids } };
}

export async function closeTaskAnswer(app: ZodApp, requestId: string, taskId: string, caller: Caller, result: CloseTaskResult) {
  switch (result.kind) {
    case 'running':
      throw problem('task-not-closable', 'A worker is executing this task right now; try again once it has settled.');
    case 'final':
      throw problem('task-not-closable', `The task is final already (${result.state}); only tasks that are not final, or failed, can be closed.`);
    case 'callback':
      throw problem('task-not-closable', 'The task is a callback delivery, not erasure work; re-drive it with POST /v1/erasure-requests/{id}/retry.');
  }
  app.deps.wakeWorkers?.();
  const { database, clock } = app.deps;
  const task = await getTaskResource(database.db, requestId, taskId, caller);
  if (task === undefined) throw taskNotFound(requestId, taskId);
  return { request: await getRequestResource(database.db, requestId, clock.now(), caller), task };
}
