// POST /v1/erasure-requests/{id}/retry — re-drive the failed tasks.
import { problem } from '../../../domain/errors.ts';
import { retryRequest } from '../../../services/retry-request.ts';
import { getRequestResource } from '../../../services/request-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { requestIdParams } from '../../schemas/common.ts';
import { problemResponse, problemResponses } from '../../schemas/problem.ts';
import { retryResultSchema } from './schemas.ts';

export function retryErasureRequest(app: ZodApp): void {
  app.route({
    method: 'POST',
    url: '/v1/erasure-requests/:id/retry',
    config: { scopes: ['erasure:write'] },
    schema: {
      operationId: 'retryErasureRequest',
      tags: ['erasure-requests'],
      summary: 'Re-drive the failed tasks of an erasure request',
      description:
        'Every `failed` task starts over (pending now, attempts reset; its last error stays in the audit trail) and the request ' +
        'reopens (`completedAt` cleared); it calls back again when it is final. With no failed erasure task, a failed last ' +
        'callback delivery is re-driven; a callback of the last final state not sent yet is superseded. Nothing failed, a cancelled ' +
        "request, or one whose personal data was purged: 409. Only the key's own tenant's requests can be re-driven (another " +
        "tenant's is a 404, also for keys with `allTenants`).",
      params: requestIdParams,
      response: {
        202: retryResultSchema,
        409: problemResponse('Nothing failed, the request is cancelled, or its personal data was purged'),
        ...problemResponses(404, 503),
      },
    },
    handler: async (request, reply) => {
      const { database, clock } = app.deps;
      const id = request.params.id;
      const caller = callerOf(request);
      const result = await retryRequest(database.db, id, { caller, now: clock.now() });
      switch (result.kind) {
        case 'cancelled':
          throw problem('request-not-retryable', 'The request is cancelled; a cancelled request is not re-driven.');
        case 'purged':
          throw problem(
            'request-not-retryable',
            `The personal data of this request was purged on ${result.purgedAt.toISOString()} (privacy.purgeSubjectAfterDays); its tasks no longer hold what the upstream needs. Submit a new request.`,
          );
        case 'nothing_failed':
          throw problem('request-not-retryable', `No task of this request has failed (status ${result.status}); there is nothing to retry.`);
      }
      app.deps.wakeWorkers?.();
      const resource = await getRequestResource(database.db, id, clock.now(), caller);
      return reply.code(202).send({ request: resource, retriedTasks: result.retriedTasks, retriedCallback: result.retriedCallback });
    },
  });
}
