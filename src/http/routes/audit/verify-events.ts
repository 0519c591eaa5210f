// GET /v1/erasure-requests/{id}/events/verify — checks every link of the request's audit chain.
import { verifyRequestChain } from '../../../audit/verify-request-chain.ts';
import { problem } from '../../../domain/errors.ts';
import type { ZodApp } from '../../app-deps.ts';
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
      const verdict = await verifyRequestChain(app.deps.database.db, request.params.id);
      if (verdict === null) throw problem('not-found', `No erasure request with id ${request.params.id}.`);
      return verdict;
    },
  });
}
