// POST /console/requests/:id/<slug> (or /console/requests/:id/tasks/:taskId/<slug> for an action on a
// task) — the two steps of every operator action (console/operator-action.ts): step=review answers the
// confirmation page, step=confirm performs it and redirects to the request page.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { problem } from '../../domain/errors.ts';
import { taskNotFound } from '../../services/close-task.ts';
import { requireChangeableRequest } from '../../services/request-access.ts';
import { getRequestResource } from '../../services/request-view.ts';
import { getTaskResource } from '../../services/task-view.ts';
import { setNoticeCookie } from '../cookies.ts';
import { OPERATE_SCOPE, type OperatorAction } from '../operator-action.ts';
import { sendPage } from '../render.ts';
import { requestIdOf } from '../request-id.ts';
import { hasScope, sessionOf } from '../session.ts';
import { operatorConfirmPage } from '../views/operator-action.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

const stepField = z.object({ step: z.enum(['review', 'confirm'], 'an unknown step: open the request again') });
const taskIdParam = z.object({ taskId: z.guid('not a task id: open the request again') });

export function operatorActionRoute(scope: FastifyInstance, action: OperatorAction): void {
  const url = action.on === 'task' ? `/requests/:id/tasks/:taskId/${action.slug}` : `/requests/:id/${action.slug}`;
  scope.post(url, { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const session = sessionOf(request);
    if (!hasScope(session, OPERATE_SCOPE)) {
      throw problem('forbidden', `The key "${session.identity.name}" lacks the scope operator actions need: ${OPERATE_SCOPE}.`);
    }
    const id = requestIdOf(request.params);
    let taskId: string | null = null;
    if (action.on === 'task') {
      const param = taskIdParam.safeParse(request.params);
      if (!param.success) throw problem('not-found', 'No such task: open the request again.');
      taskId = param.data.taskId;
    }
    const body = (request.body ?? {}) as Record<string, unknown>;
    const step = stepField.safeParse(body);
    const parsed = action.parse(body);
    if (!step.success || !parsed.ok) {
      const errors = [
        ...(step.success ? [] : step.error.issues.map((i) => ({ path: i.path.join('.') || 'form', message: i.message }))),
        ...(parsed.ok ? [] : parsed.errors),
      ];
      throw problem('validation', `This form is not complete: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`, { errors });
    }
    const { deps } = scope;
    const caller = session.identity;
    if (step.data.step === 'review') {
      await requireChangeableRequest(deps.database.db, caller, id);
      const resource = await getRequestResource(deps.database.db, id, deps.clock.now(), caller);
      const task = taskId === null ? null : await getTaskResource(deps.database.db, id, taskId, caller);
      if (task === undefined) throw taskNotFound(id, taskId!);
      return sendPage(reply, operatorConfirmPage(session, { request: resource, task }, action, parsed.action));
    }
    const notice = await parsed.action.perform(deps, caller, { requestId: id, taskId });
    // The action and its outcome only: the fields are operator text, kept on the request, not in logs.
    request.log.info({ caller: caller.name, requestId: id, taskId, action: action.slug, tone: notice.tone }, 'console operator action');
    setNoticeCookie(request, reply, { requestId: id, ...notice });
    return reply.redirect(`/console/requests/${id}`, 303);
  });
}
