// POST /v1/erasure-requests/{id}/cancel — cancel what has not been sent upstream.
import { problem } from '../../../domain/errors.ts';
import { subjectHashKey } from '../../../services/submit-request.ts';
import { cancelRequest } from '../../../services/cancel-request.ts';
import { getRequestResource } from '../../../services/request-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { requestIdParams } from '../../schemas/common.ts';
import { problemResponse, problemResponses } from '../../schemas/problem.ts';
import { cancelResultSchema } from './schemas.ts';

export function cancelErasureRequest(app: ZodApp): void {
  app.route({
    method: 'POST',
    url: '/v1/erasure-requests/:id/cancel',
    config: { scopes: ['erasure:write'] },
    schema: {
      operationId: 'cancelErasureRequest',
      tags: ['erasure-requests'],
      summary: 'Cancel an erasure request',
      description:
        'Cancels every task nothing has been sent upstream for, and marks the request `cancelled`. Tasks already sent upstream ' +
        '(or being executed right now) run to their end and are listed in `notCancelled`; their outcome stays visible. ' +
        "A request that is already final or cancelled answers 409. Only the key's own tenant's requests can be cancelled " +
        "(another tenant's is a 404, also for keys with `allTenants`).",
      params: requestIdParams,
      response: {
        200: cancelResultSchema,
        409: problemResponse('The request is final or already cancelled'),
        ...problemResponses(404, 503),
      },
    },
    handler: async (request) => {
      const { database, clock, ids } = app.deps;
      const id = request.params.id;
      const caller = callerOf(request);
      const evidence = { key: app.deps.evidenceKey, hashKey: subjectHashKey(app.deps.config), ids };
      const result = await cancelRequest(database.db, id, { caller, now: clock.now(), ids, evidence });
      switch (result.kind) {
        case 'already_final':
          throw problem('request-not-cancellable', `The request is already final (${result.status}); there is nothing left to cancel.`);
        case 'already_cancelled':
          throw problem('request-not-cancellable', 'The request is already cancelled.');
      }
      app.deps.wakeWorkers?.();
      const resource = await getRequestResource(database.db, id, clock.now(), caller);
      return { request: resource, cancelledTasks: result.cancelledTasks, notCancelled: result.notCancelled };
    },
  });
}
