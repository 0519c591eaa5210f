// POST /v1/erasure-requests/{id}/tasks/{taskId}/skip — an operator closes a task with a reason (not erasure).
import { skipTask } from '../../../services/skip-task.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { problemResponse, problemResponses } from '../../schemas/problem.ts';
import { closeTaskAnswer, closeTaskOptions } from './close-task-answer.ts';
import { closedTaskResultSchema, skipTaskBody, taskIdParams } from './schemas.ts';

export function skipErasureTask(app: ZodApp): void {
  app.route({
    method: 'POST',
    url: '/v1/erasure-requests/:id/tasks/:taskId/skip',
    config: { scopes: ['erasure:operate'] },
    schema: {
      operationId: 'skipErasureTask',
      tags: ['operator-actions'],
      summary: 'Skip a task (close it with a reason)',
      description:
        'The task becomes `skipped`: final, and not erasure. Allowed for a task that is not final or is `failed`; a task a worker ' +
        'is executing right now, one final otherwise, or a callback delivery is a 409. A request whose tasks are then all final, ' +
        'none failed and some skipped is `completed_with_exceptions`; when the skip makes the request final (again), its evidence is ' +
        'signed (superseding earlier evidence) and its callback sent. The reason is shown on the task, in the CSV and in the evidence; ' +
        "the trail records `task.skipped` with the key. Only the key's own tenant's requests (another tenant's is a 404).",
      params: taskIdParams,
      body: skipTaskBody,
      response: {
        200: closedTaskResultSchema,
        409: problemResponse('The task is running, final already, or a callback delivery'),
        ...problemResponses(400, 404, 503),
      },
    },
    handler: async (request) => {
      const { id, taskId } = request.params;
      const caller = callerOf(request);
      const result = await skipTask(app.deps.database.db, id, taskId, { ...closeTaskOptions(app.deps, caller), reason: request.body.reason });
      return closeTaskAnswer(app, id, taskId, caller, result);
    },
  });
}
