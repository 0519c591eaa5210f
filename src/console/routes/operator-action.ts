// POST /console/requests/:id/<slug> — the two steps of every operator action (console/operator-action.ts):
// step=review answers the confirmation page, step=confirm performs it and redirects to the request page.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { problem } from '../../domain/errors.ts';
import { OPERATOR_REASONS } from '../../domain/operator-reasons.ts';
import { requireChangeableRequest } from '../../services/request-access.ts';
import { getRequestResource } from '../../services/request-view.ts';
import { setNoticeCookie } from '../cookies.ts';
import { OPERATE_SCOPE, type OperatorAction } from '../operator-action.ts';
import { sendPage } from '../render.ts';
import { requestIdOf } from '../request-id.ts';
import { hasScope, sessionOf } from '../session.ts';
import { operatorConfirmPage } from '../views/operator-action.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

const actionForm = z.object({
  step: z.enum(['review', 'confirm'], 'an unknown step: open the request again'),
  reason: z.enum(OPERATOR_REASONS, 'choose a reason from the list'),
});

export function operatorActionRoute(scope: FastifyInstance, action: OperatorAction): void {
  scope.post(`/requests/:id/${action.slug}`, { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const session = sessionOf(request);
    if (!hasScope(session, OPERATE_SCOPE)) {
      throw problem('forbidden', `The key "${session.identity.name}" lacks the scope operator actions need: ${OPERATE_SCOPE}.`);
    }
    const id = requestIdOf(request.params);
    const form = actionForm.safeParse(request.body ?? {});
    if (!form.success) {
      const errors = form.error.issues.map((i) => ({ path: i.path.join('.') || 'form', message: i.message }));
      throw problem('validation', `This form is not complete: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.`, { errors });
    }
    const { deps } = scope;
    const caller = session.identity;
    const { step, reason } = form.data;
    if (step === 'review') {
      await requireChangeableRequest(deps.database.db, caller, id);
      const resource = await getRequestResource(deps.database.db, id, deps.clock.now(), caller);
      return sendPage(reply, operatorConfirmPage(session, resource, action, reason));
    }
    const notice = await action.perform(deps, caller, id, reason);
    request.log.info({ caller: caller.name, requestId: id, action: action.slug, reason, tone: notice.tone }, 'console operator action');
    setNoticeCookie(request, reply, { requestId: id, ...notice });
    return reply.redirect(`/console/requests/${id}`, 303);
  });
}
