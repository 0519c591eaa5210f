// GET /v1/erasure-requests/{id} — one request with its aggregated status and progress.
import { problem } from '../../../domain/errors.ts';
import { getRequestResource } from '../../../services/request-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { requestIdParams } from '../../schemas/common.ts';
import { erasureRequestSchema } from '../../schemas/erasure-request-resource.ts';
import { problemResponses } from '../../schemas/problem.ts';

export function getErasureRequest(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/v1/erasure-requests/:id',
    // audit:read too: auditors read per-target outcomes, which is this resource's `targets` breakdown.
    config: { scopes: ['erasure:read', 'audit:read'] },
    schema: {
      operationId: 'getErasureRequest',
      tags: ['erasure-requests'],
      summary: 'Get an erasure request',
      params: requestIdParams,
      response: { 200: erasureRequestSchema, ...problemResponses(404, 503) },
    },
    handler: async (request) => {
      const { database, clock } = app.deps;
      const resource = await getRequestResource(database.db, request.params.id, clock.now());
      if (resource === undefined) throw problem('not-found', `No erasure request with id ${request.params.id}.`);
      return resource;
    },
  });
}
