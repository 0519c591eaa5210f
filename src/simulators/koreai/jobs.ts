import { iso } from '../clock.ts';
import { utcDay, DAY_MS } from './dates.ts';
import type { KoreaiSettings } from './settings.ts';
import type { Job, JobRequest, JobResult } from './job-types.ts';
import type { BotState, KoreaiDeletions } from './store.ts';

export type { Job, JobRequest, JobResult } from './job-types.ts';

/** The job status document exactly as `GET …/conversations/delete/{jobId}` answers it. */
export type JobView = {
  jobId: string;
  status: string;
  requestType: JobRequest['type'];
  submittedAt: string;
  scheduledAt: string;
  startedAt: string | null;
  completedAt: string | null;
  result: JobResult;
};

export type JobRunnerDeps = {
  settings(): KoreaiSettings;
  bot(botId: string): BotState | undefined;
  newUuid(): string;
  /** Seeded draw in [0,1) deciding whether a job fails. */
  outcomeDraw(): number;
  deletions: KoreaiDeletions;
};

export type JobRunner = {
  submit(state: BotState, request: JobRequest, nowMs: number): Job;
  /** Runs, in completion order, every job due by `nowMs`: its conversations are removed for real. */
  settle(nowMs: number): void;
  view(job: Job, nowMs: number): JobView;
  reset(): void;
};

const INITIAL_RETRIES = 3;
const EMPTY_RESULT: JobResult = {
  totalConversations: 0,
  processedCount: 0,
  deletedCount: 0,
  failedCount: 0,
  skippedCount: 0,
  retriesRemaining: INITIAL_RETRIES,
};

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  let pending: Job[] = [];

  const run = (job: Job) => {
    const state = deps.bot(job.botId);
    if (state === undefined) return;
    const held = state.conversations;
    const { request } = job;
    let targets: string[];
    let skipped = 0;
    if (request.type === 'conversationIds') {
      const unique = [...new Set(request.conversationIds)];
      targets = unique.filter((id) => held.has(id));
      skipped = unique.length - targets.length;
    } else {
      // An omitted endDate means "today", inclusive, at the time the job runs.
      const toMs = request.toMs ?? Date.parse(`${utcDay(job.completesAt)}T00:00:00.000Z`) + DAY_MS - 1;
      targets = [...held.values()]
        .filter((c) => c.cId === request.cId && (request.fromMs === null || c.at >= request.fromMs) && c.at <= toMs)
        .map((c) => c.id);
    }
    const total = targets.length + skipped;
    if (job.fails) {
      job.result = { totalConversations: total, processedCount: total, deletedCount: 0, failedCount: targets.length, skippedCount: skipped, retriesRemaining: 0 };
      return;
    }
    let deletedUnits = 0;
    for (const id of targets) {
      deletedUnits += deps.settings().deletedCountUnit === 'messages' ? (held.get(id)?.messageCount ?? 0) : 1;
      held.delete(id);
      deps.deletions.conversations.push({ botId: job.botId, conversationId: id, jobId: job.jobId, at: iso(job.completesAt) });
    }
    job.result = {
      totalConversations: total,
      processedCount: total,
      deletedCount: deletedUnits,
      failedCount: 0,
      skippedCount: skipped,
      retriesRemaining: INITIAL_RETRIES,
    };
  };

  return {
    submit(state, request, nowMs) {
      const settings = deps.settings();
      const scheduledAt = nowMs + settings.jobDelayMs;
      const job: Job = {
        jobId: `cdj-${deps.newUuid()}`,
        botId: state.bot.botId,
        request,
        submittedAt: nowMs,
        scheduledAt,
        completesAt: scheduledAt + settings.jobRunMs,
        fails: deps.outcomeDraw() < settings.jobFailureRate,
        result: null,
      };
      state.jobs.set(job.jobId, job);
      pending.push(job);
      return job;
    },
    settle(nowMs) {
      const due = pending.filter((job) => job.completesAt <= nowMs).sort((a, b) => a.completesAt - b.completesAt);
      if (due.length === 0) return;
      pending = pending.filter((job) => job.completesAt > nowMs);
      for (const job of due) run(job);
    },
    view(job, nowMs) {
      const settings = deps.settings();
      const started = nowMs >= job.scheduledAt;
      const done = job.result !== null;
      return {
        jobId: job.jobId,
        status: done ? (job.fails ? settings.jobFailureStatus : 'completed') : started ? 'in_progress' : 'queued',
        requestType: job.request.type,
        submittedAt: iso(job.submittedAt),
        scheduledAt: iso(job.scheduledAt),
        startedAt: started ? iso(job.scheduledAt) : null,
        completedAt: done ? iso(job.completesAt) : null,
        result: job.result ?? EMPTY_RESULT,
      };
    },
    reset() {
      pending = [];
    },
  };
}
