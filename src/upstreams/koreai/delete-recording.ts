// Kore.ai call recordings, one session per task: `check` (v2 status) → `delete` → `confirm` (v2 status is
// media_unavailable). One call per phase; the classifier (classify-recordings.ts) decides the next phase.
// The DELETE goes to `…/v2/recordings` (documented) or, with `recordingsApi: legacy`, to
// `/api/1.1/…/recordings` (the docs' sample request); the status checks are v2 either way.
import type { ExecutionContext, ExecutionResult, TaskExecutor } from '../../domain/task-execution.ts';
import { clientForTask } from '../client-for-task.ts';
import { asString, type UpstreamResponse } from '../http.ts';
import { classifyRecordingCheck, classifyRecordingConfirm, classifyRecordingDelete, recordingStatus } from './classify-recordings.ts';
import { callKoreai, type KoreaiClient } from './client.ts';

const V2 = '/v2/recordings?sessionId={sessionId}';
const LEGACY = '/recordings?sessionId={sessionId}';

/** The legacy API's prefix: the connection's, with `/api/` followed by the `1.1/` version (as in the docs' sample). */
export function legacyPathPrefix(pathPrefix: string): string {
  return /^\/api\/1\.1\//.test(pathPrefix) ? pathPrefix : pathPrefix.replace(/^\/api\//, '/api/1.1/');
}

export function koreaiDeleteRecording(clients: ReadonlyMap<string, KoreaiClient>): TaskExecutor {
  return {
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const client = clientForTask(clients, ctx);
      if ('outcome' in client) return client;
      const sessionId = asString(ctx.task.locator.sessionId);
      if (sessionId === undefined) {
        return { outcome: { kind: 'failed', error: { kind: 'gateway', code: 'bad_locator', message: 'recording task without a sessionId' } } };
      }
      const query = `?sessionId=${encodeURIComponent(sessionId)}`;
      const statusRef = (res: UpstreamResponse) => {
        const s = recordingStatus(res);
        return s === undefined ? undefined : { recordingStatus: s.slice(0, 40) };
      };
      const ref = ctx.task.upstreamRef;
      switch (ctx.task.phase) {
        case 'delete': {
          const legacy = client.connection.recordingsApi === 'legacy';
          return callKoreai(client, ctx, {
            operation: 'recording.delete',
            method: 'DELETE',
            path: `${legacy ? '/recordings' : '/v2/recordings'}${query}`,
            template: legacy ? LEGACY : V2,
            ...(legacy ? { pathPrefix: legacyPathPrefix(client.connection.pathPrefix) } : {}),
            classify: classifyRecordingDelete,
          });
        }
        case 'confirm':
          return callKoreai(client, ctx, {
            operation: 'recording.confirm',
            method: 'GET',
            path: `/v2/recordings${query}`,
            template: V2,
            ref: statusRef,
            classify: (res, timings, now) => classifyRecordingConfirm(res, timings, now, { ref, freshStart: false }),
          });
        default:
          return callKoreai(client, ctx, {
            operation: 'recording.check',
            method: 'GET',
            path: `/v2/recordings${query}`,
            template: V2,
            ref: statusRef,
            // Phase `start`: new, or re-driven — an earlier wait does not count against this one.
            classify: (res, timings, now) => classifyRecordingCheck(res, timings, now, { ref, freshStart: ctx.task.phase === 'start' }),
          });
      }
    },
  };
}
