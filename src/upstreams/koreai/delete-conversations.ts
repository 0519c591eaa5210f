// Kore.ai conversation-deletion jobs, by conversation ids (≤100 per task) or by channel user: phase
// `start` submits a job (→ waiting with its id), phase `poll` reads the status of the task's current job
// until its verdict (classify-jobs.ts). Each phase is one call, so every poll spends one pacing permit like
// any other call. A re-drive starts at `start` again: a new job, whose age starts afresh; the earlier
// jobs stay in the task's reference.
import type { JsonObject } from '../../domain/json.ts';
import type { NewEvent } from '../../domain/new-event.ts';
import { settlementEvents } from '../../domain/settlement.ts';
import type { ExecutionContext, ExecutionResult, SettlementEventInput, TaskExecutor } from '../../domain/task-execution.ts';
import { jobIdsOf, lostSubmitsOf } from '../../domain/upstream-jobs.ts';
import { clientForTask } from '../client-for-task.ts';
import { asObject, asString } from '../http.ts';
import { classifyJobStatus, classifyJobSubmit, classifyJobSubmitTransportError } from './classify-jobs.ts';
import { callKoreai, type KoreaiClient } from './client.ts';
import { channelUserRange, type KoreaiDateFormat } from './job-dates.ts';
import { findJob, readLedger } from './job-ledger.ts';

type JobTaskType = 'koreai.conversations' | 'koreai.channel_user';

function conversationIds(locator: JsonObject): string[] {
  return Array.isArray(locator.conversationIds) ? locator.conversationIds.filter((x): x is string => typeof x === 'string') : [];
}

/** The job body: the ids, or the channel user with its range normalised for the connection (job-dates.ts). */
export function conversationJobBody(type: JobTaskType, locator: JsonObject, format: KoreaiDateFormat = 'datetime', now: Date = new Date()): JsonObject {
  if (type === 'koreai.conversations') return { conversationIds: conversationIds(locator) };
  return { cId: locator.cId, ...channelUserRange(locator, format, now) };
}

/**
 * The worker's usual events, plus what an auditor must find: the task's job ids on every state change,
 * and `koreai.job_submit_answer_lost` when a submit got no usable answer (Kore.ai may hold a job the
 * gateway never saw). Job ids, statuses and counts only — never a locator value or a message.
 */
export function jobSettlementEvents(input: SettlementEventInput): NewEvent[] {
  const { task, plan, result, actor, now } = input;
  const events = settlementEvents(input);
  const jobIds = jobIdsOf(plan.upstreamRef);
  for (const e of events) {
    if (e.type !== 'task.state_changed' || jobIds.length === 0) continue;
    e.data.jobIds = jobIds;
    if (plan.state === 'failed' && plan.upstreamRef?.result !== undefined) e.data.result = plan.upstreamRef.result;
  }
  const lost = lostSubmitsOf(plan.upstreamRef);
  if (lost.length > lostSubmitsOf(task.upstreamRef).length) {
    const last = lost.at(-1)!;
    events.push({
      type: 'koreai.job_submit_answer_lost',
      actor,
      at: now,
      taskId: task.id,
      data: { connection: task.connection, reason: last.reason, status: last.status ?? result.call?.status ?? null, lostSubmits: lost.length, jobIds, mayHaveQueuedJob: true },
    });
  }
  return events;
}

export function koreaiDeleteConversations(clients: ReadonlyMap<string, KoreaiClient>, type: JobTaskType): TaskExecutor {
  return {
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const client = clientForTask(clients, ctx);
      if ('outcome' in client) return client;
      const ref = ctx.task.upstreamRef;
      const jobId = asString(asObject(ref).jobId);
      if (ctx.task.phase === 'poll' && jobId !== undefined) {
        const known = findJob(readLedger(ref), jobId);
        const submitted = Date.parse(known?.submittedAt ?? '');
        const sentAt = Number.isNaN(submitted) ? (ctx.task.firstSentAt ?? ctx.task.createdAt) : new Date(submitted);
        const idsSent = type === 'koreai.conversations' ? new Set(conversationIds(ctx.task.locator)).size : null;
        return callKoreai(client, ctx, {
          operation: 'conversations.job_status',
          method: 'GET',
          path: `/conversations/delete/${encodeURIComponent(jobId)}`,
          template: '/conversations/delete/{jobId}',
          ref: (res) => {
            const status = asString(asObject(res.json).status);
            return status === undefined ? { jobId } : { jobId, jobStatus: status.slice(0, 40) };
          },
          classify: (res, timings, now) => classifyJobStatus(res, timings, now, { jobId, ref, idsSent, sentAt }),
        });
      }
      const now = ctx.now();
      const body = conversationJobBody(type, ctx.task.locator, client.connection.dateFormat, now);
      // What was asked for, as sent (dates only: the cId stays in the locator, which the purge clears).
      const range = type === 'koreai.channel_user' ? { range: { startDate: body.startDate ?? null, endDate: body.endDate ?? null } } : {};
      return callKoreai(client, ctx, {
        operation: 'conversations.job_submit',
        method: 'POST',
        path: '/conversations/delete',
        template: '/conversations/delete',
        body,
        ref: (res) => {
          const id = asString(asObject(res.json).jobId);
          return id === undefined ? undefined : { jobId: id };
        },
        classify: (res, timings, at) => {
          const outcome = classifyJobSubmit(res, timings, at, { ref });
          return outcome.kind === 'waiting' ? { ...outcome, upstreamRef: { ...outcome.upstreamRef, ...range } } : outcome;
        },
        onTransportError: (err, at) => classifyJobSubmitTransportError(err, at, { ref }),
      });
    },
    settlementEvents: jobSettlementEvents,
  };
}
