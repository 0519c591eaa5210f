// Cartesia calls, one per task, one upstream call per phase (classify.ts says what each answer means):
//   start/delete        DELETE /agents/calls/{id}
//   confirm_deleted     GET    /agents/calls/{id}   a 2xx DELETE that did not show redacted_at
//   confirm_not_found   GET    /agents/calls/{id}   a 404 DELETE: does the call say the same?
//   await_end           GET    /agents/calls/{id}   a 400 DELETE: is the call still created/started?
//   cancel              POST   /agents/calls/{id}/cancel   (cancelActiveCalls, a started call)
import type { ExecutionContext, ExecutionResult, TaskExecutor } from '../../domain/task-execution.ts';
import { clientForTask } from '../client-for-task.ts';
import { asString } from '../http.ts';
import { classifyAwaitEnd, classifyCallCancel, classifyCallDelete, classifyConfirmDeleted, classifyConfirmNotFound } from './classify.ts';
import { callCartesia, type CartesiaCallSpec, type CartesiaClient } from './client.ts';

const CALL_TEMPLATE = '/agents/calls/{call_id}';

function specFor(phase: string, path: string): CartesiaCallSpec {
  const get = (operation: string, classify: CartesiaCallSpec['classify']): CartesiaCallSpec => ({ operation, method: 'GET', path, template: CALL_TEMPLATE, classify });
  switch (phase) {
    case 'confirm_deleted':
      return get('call.confirm', classifyConfirmDeleted);
    case 'confirm_not_found':
      return get('call.confirm', classifyConfirmNotFound);
    case 'await_end':
      return get('call.status', classifyAwaitEnd);
    case 'cancel':
      return { operation: 'call.cancel', method: 'POST', path: `${path}/cancel`, template: `${CALL_TEMPLATE}/cancel`, classify: classifyCallCancel };
    default:
      return { operation: 'call.delete', method: 'DELETE', path, template: CALL_TEMPLATE, classify: classifyCallDelete };
  }
}

export function cartesiaDeleteCall(clients: ReadonlyMap<string, CartesiaClient>): TaskExecutor {
  return {
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const client = clientForTask(clients, ctx);
      if ('outcome' in client) return client;
      const callId = asString(ctx.task.locator.callId);
      if (callId === undefined) {
        return { outcome: { kind: 'failed', error: { kind: 'gateway', code: 'bad_locator', message: 'call task without a callId' } } };
      }
      return callCartesia(client, ctx, callId, specFor(ctx.task.phase, `/agents/calls/${encodeURIComponent(callId)}`));
    },
  };
}
