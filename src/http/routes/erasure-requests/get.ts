// GET /v1/erasure-requests/{id} — one request with its aggregated status and progress.
import { getRequestResource } from '../../../services/request-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
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
      description: "Another tenant's request is a 404, as for an id that does not exist (keys with `allTenants` read every tenant's).",
      params: requestIdParams,
      response: { 200: erasureRequestSchema, ...problemResponses(404, 503) },
    },
    handler: async (request) => {
      const { database, clock } = app.deps;
      return getRequestResource(database.db, request.params.id, clock.now(), callerOf(request));
    },
  });
}
