// POST /v1/erasure-requests/{id}/extend — the deadline's one legal extension, with notice by callback.
import { problem } from '../../../domain/errors.ts';
import { extendDeadline } from '../../../services/extend-deadline.ts';
import { getRequestResource } from '../../../services/request-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { problemResponse, problemResponses } from '../../schemas/problem.ts';
import { erasureRequestSchema } from '../../schemas/erasure-request-resource.ts';
import { requestIdParams } from '../../schemas/common.ts';
import { extendBody } from './schemas.ts';

export function extendErasureRequest(app: ZodApp): void {
  app.route({
    method: 'POST',
    url: '/v1/erasure-requests/:id/extend',
    config: { scopes: ['erasure:operate'] },
    schema: {
      operationId: 'extendErasureRequest',
      tags: ['operator-actions'],
      summary: "Extend a request's deadline",
      description:
        'Once per request, only before the original `dueAt` has passed, not for a final (or cancelled) request, to a later date no later ' +
        'than the regulation allows: GDPR three calendar months from `createdAt`, CCPA 90 days, `other` `deadlines.otherMaxDays` ' +
        '(default 90). Anything else is a 422 `extension-not-allowed` whose detail names the rule (`errors[0].path` is ' +
        '`rule.once`, `rule.final`, `rule.after_due_date`, `rule.not_later` or `rule.regulation_limit`). The request then shows ' +
        '`extension: { previousDueAt, reason, by, at }`, the trail gets `request.extended`, and the callback URL is called with event ' +
        "`request.extended` and the request resource. Only the key's own tenant's requests (another tenant's is a 404).",
      params: requestIdParams,
      body: extendBody,
      response: {
        200: erasureRequestSchema,
        422: problemResponse('The extension breaks a rule (named in the detail)'),
        ...problemResponses(400, 404, 503),
      },
    },
    handler: async (request) => {
      const { database, clock, ids, config } = app.deps;
      const id = request.params.id;
      const caller = callerOf(request);
      const result = await extendDeadline(database.db, id, {
        caller,
        now: clock.now(),
        dueAt: new Date(request.body.dueAt),
        reason: request.body.reason,
        otherMaxDays: config.file.deadlines.otherMaxDays,
        ids,
      });
      if (result.kind === 'refused') {
        const { rule, message } = result.refusal;
        throw problem('extension-not-allowed', `${message} (rule: ${rule})`, { errors: [{ path: `rule.${rule}`, message }] });
      }
      if (result.callbackTaskId !== null) app.deps.wakeWorkers?.();
      return getRequestResource(database.db, id, clock.now(), caller);
    },
  });
}
