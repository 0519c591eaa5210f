// GET /v1/erasure-requests/{id}/events — the audit trail in seq order, cursor-paginated.
import { z } from 'zod';
import { listRequestEvents } from '../../../audit/list-request-events.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { cursorParam, pageLimit, requestIdParams } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';
import { auditEventPageSchema } from './schemas.ts';

const eventsQuery = z.strictObject({ limit: pageLimit(1000, 100), cursor: cursorParam.optional() });

export function listErasureRequestEvents(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/v1/erasure-requests/:id/events',
    config: { scopes: ['audit:read'] },
    schema: {
      operationId: 'listErasureRequestEvents',
      tags: ['audit'],
      summary: "List a request's audit events",
      description: 'Append-only and hash-chained: each event carries the hash of the one before, so a change to any stored event is detectable.',
      params: requestIdParams,
      querystring: eventsQuery,
      response: { 200: auditEventPageSchema, ...problemResponses(400, 404, 503) },
    },
    handler: async (request) => {
      return listRequestEvents(app.deps.database.db, request.params.id, request.query, callerOf(request));
    },
  });
}
