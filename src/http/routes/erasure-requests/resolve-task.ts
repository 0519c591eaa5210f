// POST /v1/erasure-requests/{id}/tasks/{taskId}/resolve — an operator records a deletion the vendor confirmed some other way.
import { resolveTask } from '../../../services/resolve-task.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { problemResponse, problemResponses } from '../../schemas/problem.ts';
import { closeTaskAnswer, closeTaskOptions } from './close-task-answer.ts';
import { closedTaskResultSchema, resolveTaskBody, taskIdParams } from './schemas.ts';

export function resolveErasureTask(app: ZodApp): void {
  app.route({
    method: 'POST',
    url: '/v1/erasure-requests/:id/tasks/:taskId/resolve',
    config: { scopes: ['erasure:operate'] },
    schema: {
      operationId: 'resolveErasureTask',
      tags: ['operator-actions'],
      summary: 'Resolve a task by hand',
      description:
        'The vendor confirmed the deletion some other way (a ticket, an e-mail): the task becomes `succeeded` with ' +
        '`resolution: { kind: "manual", by, reference, note, at }`. The trail (`task.resolved`) and the evidence mark it ' +
        "attested by the operator, distinct from the vendor's confirmation. Same state rules as skip: a running task, one final " +
        'otherwise, or a callback delivery is a 409; when it makes the request final (again), evidence is signed and the callback sent. ' +
        "Only the key's own tenant's requests (another tenant's is a 404).",
      params: taskIdParams,
      body: resolveTaskBody,
      response: {
        200: closedTaskResultSchema,
        409: problemResponse('The task is running, final already, or a callback delivery'),
        ...problemResponses(400, 404, 503),
      },
    },
    handler: async (request) => {
      const { id, taskId } = request.params;
      const caller = callerOf(request);
      const { reference, note } = request.body;
      const result = await resolveTask(app.deps.database.db, id, taskId, { ...closeTaskOptions(app.deps, caller), reference, note });
      return closeTaskAnswer(app, id, taskId, caller, result);
    },
  });
}
