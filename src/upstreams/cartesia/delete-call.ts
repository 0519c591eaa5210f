// Cartesia calls, one per task: `delete`; when the call is still active and the connection allows it,
// `cancel` first and then `delete` again. One call per phase.
import type { ExecutionContext, ExecutionResult, TaskExecutor } from '../../domain/task-execution.ts';
import { clientForTask } from '../client-for-task.ts';
import { asString } from '../http.ts';
import { classifyCallCancel, classifyCallDelete } from './classify.ts';
import { callCartesia, type CartesiaClient } from './client.ts';

export function cartesiaDeleteCall(clients: ReadonlyMap<string, CartesiaClient>): TaskExecutor {
  return {
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const client = clientForTask(clients, ctx);
      if ('outcome' in client) return client;
      const callId = asString(ctx.task.locator.callId);
      if (callId === undefined) {
        return { outcome: { kind: 'failed', error: { kind: 'gateway', code: 'bad_locator', message: 'call task without a callId' } } };
      }
      const path = `/agents/calls/${encodeURIComponent(callId)}`;
      if (ctx.task.phase === 'cancel') {
        return callCartesia(client, ctx, { operation: 'call.cancel', method: 'POST', path: `${path}/cancel`, template: '/agents/calls/{call_id}/cancel', classify: classifyCallCancel });
      }
      return callCartesia(client, ctx, { operation: 'call.delete', method: 'DELETE', path, template: '/agents/calls/{call_id}', classify: classifyCallDelete });
    },
  };
}
