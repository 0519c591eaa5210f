// GET /v1/erasure-requests/{id}/tasks — per-task detail in seq order, cursor-paginated.
import { z } from 'zod';
import { listTaskResources } from '../../../services/task-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { cursorParam, pageLimit, requestIdParams } from '../../schemas/common.ts';
import { taskPageSchema } from '../../schemas/erasure-request-resource.ts';
import { problemResponses } from '../../schemas/problem.ts';

const tasksQuery = z.strictObject({ limit: pageLimit(1000, 100), cursor: cursorParam.optional() });

export function listErasureRequestTasks(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/v1/erasure-requests/:id/tasks',
    config: { scopes: ['erasure:read', 'audit:read'] },
    schema: {
      operationId: 'listErasureRequestTasks',
      tags: ['erasure-requests'],
      summary: "List a request's tasks",
      params: requestIdParams,
      querystring: tasksQuery,
      response: { 200: taskPageSchema, ...problemResponses(400, 404, 503) },
    },
    handler: async (request) => {
      return listTaskResources(app.deps.database.db, request.params.id, request.query, callerOf(request));
    },
  });
}
