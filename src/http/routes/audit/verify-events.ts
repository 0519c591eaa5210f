// GET /v1/erasure-requests/{id}/events/verify — checks every link of the request's audit chain.
import { verifyRequestChain } from '../../../audit/verify-request-chain.ts';
import { readScopeOf } from '../../../domain/caller.ts';
import { requestNotFound } from '../../../services/request-access.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { requestIdParams } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';
import { chainVerdictSchema } from './schemas.ts';

export function verifyErasureRequestEvents(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/v1/erasure-requests/:id/events/verify',
    config: { scopes: ['audit:read'] },
    schema: {
      operationId: 'verifyErasureRequestEvents',
      tags: ['audit'],
      summary: "Verify a request's audit chain",
      description: 'A 200 either way: `valid: true` with the head hash, or `valid: false` with the first broken link.',
      params: requestIdParams,
      response: { 200: chainVerdictSchema, ...problemResponses(404, 503) },
    },
    handler: async (request) => {
      const verdict = await verifyRequestChain(app.deps.database.db, request.params.id, readScopeOf(callerOf(request)));
      if (verdict === null) throw requestNotFound(request.params.id);
      return verdict;
    },
  });
}
