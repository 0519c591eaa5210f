// Kore.ai conversation-deletion jobs, by conversation ids (≤100 per task) or by channel user:
// phase `start` submits the job (→ waiting with the job id), phase `poll` reads its status until
// `completed`. Each phase is one call, so every poll spends one pacing permit like any other call.
import type { JsonObject } from '../../domain/json.ts';
import type { ExecutionContext, ExecutionResult, TaskExecutor } from '../../domain/task-execution.ts';
import { clientForTask } from '../client-for-task.ts';
import { asObject, asString } from '../http.ts';
import { classifyJobStatus, classifyJobSubmit } from './classify.ts';
import { callKoreai, type KoreaiClient } from './client.ts';

/** The job body as the caller gave it: dates are sent exactly as given (`YYYY-MM-DD` or ISO). */
export function conversationJobBody(type: 'koreai.conversations' | 'koreai.channel_user', locator: JsonObject): JsonObject {
  if (type === 'koreai.conversations') {
    const ids = Array.isArray(locator.conversationIds) ? locator.conversationIds.filter((x) => typeof x === 'string') : [];
    return { conversationIds: ids };
  }
  const body: JsonObject = { cId: locator.cId };
  if (typeof locator.startDate === 'string') body.startDate = locator.startDate;
  if (typeof locator.endDate === 'string') body.endDate = locator.endDate;
  return body;
}

export function koreaiDeleteConversations(clients: ReadonlyMap<string, KoreaiClient>, type: 'koreai.conversations' | 'koreai.channel_user'): TaskExecutor {
  return {
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const client = clientForTask(clients, ctx);
      if ('outcome' in client) return client;
      const jobId = asString(asObject(ctx.task.upstreamRef).jobId);
      if (ctx.task.phase === 'poll' && jobId !== undefined) {
        const sentAt = ctx.task.firstSentAt ?? ctx.task.createdAt;
        return callKoreai(client, ctx, {
          operation: 'conversations.job_status',
          method: 'GET',
          path: `/conversations/delete/${encodeURIComponent(jobId)}`,
          template: '/conversations/delete/{jobId}',
          ref: (res) => {
            const status = asString(asObject(res.json).status);
            return status === undefined ? { jobId } : { jobId, jobStatus: status };
          },
          classify: (res, timings, now) => classifyJobStatus(res, timings, now, { jobId, sentAt }),
        });
      }
      return callKoreai(client, ctx, {
        operation: 'conversations.job_submit',
        method: 'POST',
        path: '/conversations/delete',
        template: '/conversations/delete',
        body: conversationJobBody(type, ctx.task.locator),
        ref: (res) => {
          const id = asString(asObject(res.json).jobId);
          return id === undefined ? undefined : { jobId: id };
        },
        classify: classifyJobSubmit,
      });
    },
  };
}
