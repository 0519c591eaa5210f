// Kore.ai call recordings, one session per task: `check` (v2 status) → `delete` → `confirm` (v2 status
// is media_unavailable). One call per phase; the classifier decides the next phase.
import type { ExecutionContext, ExecutionResult, TaskExecutor } from '../../domain/task-execution.ts';
import { clientForTask } from '../client-for-task.ts';
import { asObject, asString, type UpstreamResponse } from '../http.ts';
import { classifyRecordingCheck, classifyRecordingConfirm, classifyRecordingDelete, recordingStatus } from './classify.ts';
import { callKoreai, type KoreaiClient } from './client.ts';

const V2 = '/v2/recordings?sessionId={sessionId}';

export function koreaiDeleteRecording(clients: ReadonlyMap<string, KoreaiClient>): TaskExecutor {
  return {
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const client = clientForTask(clients, ctx);
      if ('outcome' in client) return client;
      const sessionId = asString(ctx.task.locator.sessionId);
      if (sessionId === undefined) {
        return { outcome: { kind: 'failed', error: { kind: 'gateway', code: 'bad_locator', message: 'recording task without a sessionId' } } };
      }
      const path = `/v2/recordings?sessionId=${encodeURIComponent(sessionId)}`;
      const statusRef = (res: UpstreamResponse) => {
        const s = recordingStatus(res);
        return s === undefined ? undefined : { recordingStatus: s };
      };
      switch (ctx.task.phase) {
        case 'delete':
          return callKoreai(client, ctx, {
            operation: 'recording.delete',
            method: 'DELETE',
            path,
            template: V2,
            ref: (res) => {
              const m = asString(asObject(res.json).message);
              return m === undefined ? undefined : { message: m.slice(0, 200) };
            },
            classify: classifyRecordingDelete,
          });
        case 'confirm':
          return callKoreai(client, ctx, { operation: 'recording.confirm', method: 'GET', path, template: V2, ref: statusRef, classify: classifyRecordingConfirm });
        default:
          return callKoreai(client, ctx, { operation: 'recording.check', method: 'GET', path, template: V2, ref: statusRef, classify: classifyRecordingCheck });
      }
    },
  };
}
