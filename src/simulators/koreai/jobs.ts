import { iso } from '../clock.ts';
import { utcDay, DAY_MS } from './dates.ts';
import type { KoreaiSettings } from './settings.ts';
import type { Job, JobPlan, JobRequest, JobResult, JobTarget } from './job-types.ts';
import type { BotState, KoreaiDeletions } from './store.ts';

export type { Job, JobPlan, JobRequest, JobResult } from './job-types.ts';

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
  /** Seeded draw in [0,1) deciding whether a job fails as a whole. */
  outcomeDraw(): number;
  /** Seeded draw in [0,1) deciding whether a job fails in part (its own stream). */
  partialDraw(): number;
  deletions: KoreaiDeletions;
};

export type JobRunner = {
  submit(state: BotState, request: JobRequest, nowMs: number): Job;
  /** Runs, in time order, every job run and retry due by `nowMs`: conversations are removed for real. */
  settle(nowMs: number): void;
  view(job: Job, nowMs: number): JobView;
  reset(): void;
};

/** The first moment at or after `fromMs` that is `hour`:00:00.000 UTC (Kore.ai runs deletions off-peak). */
export function nextUtcHour(fromMs: number, hour: number): number {
  const day = new Date(fromMs);
  const candidate = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, 0, 0, 0);
  return candidate >= fromMs ? candidate : candidate + DAY_MS;
}

export function createJobRunner(deps: JobRunnerDeps): JobRunner {
  let pending: { job: Job; at: number }[] = [];

  const summarise = (job: Job, total: number, retriesRemaining: number): JobResult => {
    const count = (state: JobTarget['state']) => job.targets.filter((t) => t.state === state).length;
    return {
      totalConversations: total,
      processedCount: job.targets.length,
      deletedCount: job.deletedUnits,
      failedCount: count('failed'),
      skippedCount: count('skipped'),
      retriesRemaining,
    };
  };

  /** One attempt at the pending (first run) or failed (retries) targets; conversations deleted here are gone for real. */
  const attempt = (job: Job, state: BotState, runAt: number, attemptNo: number) => {
    const held = state.conversations;
    for (const target of job.targets) {
      if (target.state !== 'pending' && target.state !== 'failed') continue;
      const conversation = held.get(target.id);
      if (conversation === undefined) {
        // Gone meanwhile (another job, or never held): nothing for this job to delete.
        target.state = 'skipped';
        continue;
      }
      const failsForJob = target.jobFailuresLeft > 0;
      const failsForConversation = conversation.deleteFailuresLeft > 0;
      if (failsForJob || failsForConversation) {
        target.state = 'failed';
        if (failsForJob) target.jobFailuresLeft--;
        if (failsForConversation) conversation.deleteFailuresLeft--;
        continue;
      }
      target.state = 'deleted';
      job.deletedUnits += deps.settings().deletedCountUnit === 'messages' ? conversation.messageCount : 1;
      held.delete(target.id);
      deps.deletions.conversations.push({ botId: job.botId, conversationId: target.id, jobId: job.jobId, at: iso(runAt) });
    }
    job.runs = attemptNo + 1;
    job.lastRunAt = runAt;
  };

  const firstRun = (job: Job, state: BotState) => {
    const held = state.conversations;
    const { request, plan } = job;
    let candidates: string[];
    if (request.type === 'conversationIds') {
      candidates = [...new Set(request.conversationIds)];
    } else {
      // An omitted endDate means "today", inclusive, at the time the job runs.
      const toMs = request.toMs ?? Date.parse(`${utcDay(job.completesAt)}T00:00:00.000Z`) + DAY_MS - 1;
      candidates = [...held.values()]
        .filter((c) => c.cId === request.cId && (request.fromMs === null || c.at >= request.fromMs) && c.at <= toMs)
        .sort((a, b) => a.at - b.at || a.id.localeCompare(b.id))
        .map((c) => c.id);
    }
    const processed = plan.processLimit === null ? candidates : candidates.slice(0, plan.processLimit);
    job.targets = processed.map((id) => ({ id, state: held.has(id) ? 'pending' : 'skipped', jobFailuresLeft: 0 }));

    if (plan.fails) {
      for (const target of job.targets) if (target.state === 'pending') target.state = 'failed';
      job.result = summarise(job, candidates.length, 0);
      job.lastRunAt = job.completesAt;
      job.runs = 1;
      return;
    }
    if (plan.partial) {
      const live = job.targets.filter((t) => t.state === 'pending');
      const failing = live.length === 0 ? 0 : Math.min(live.length, Math.max(1, Math.round(plan.partialShare * live.length)));
      for (const target of live.slice(live.length - failing)) {
        target.jobFailuresLeft = plan.recoversOnRetry === null ? Number.POSITIVE_INFINITY : plan.recoversOnRetry;
      }
    }
    attempt(job, state, job.completesAt, 0);
    job.result = summarise(job, candidates.length, plan.retries);
    scheduleRetry(job);
  };

  const retry = (job: Job, state: BotState, runAt: number) => {
    const retriesRemaining = (job.result?.retriesRemaining ?? 0) - 1;
    attempt(job, state, runAt, job.runs);
    job.result = summarise(job, job.result?.totalConversations ?? 0, retriesRemaining);
    scheduleRetry(job);
  };

  const scheduleRetry = (job: Job) => {
    const result = job.result;
    job.nextRetryAt = null;
    if (result === null || result.failedCount === 0 || result.retriesRemaining <= 0 || job.lastRunAt === null) return;
    job.nextRetryAt = job.lastRunAt + job.plan.retryDelayMs;
    pending.push({ job, at: job.nextRetryAt });
  };

  return {
    submit(state, request, nowMs) {
      const settings = deps.settings();
      const earliest = nowMs + settings.jobDelayMs;
      const scheduledAt = settings.jobOffPeakHourUtc === null ? earliest : nextUtcHour(earliest, settings.jobOffPeakHourUtc);
      const job: Job = {
        jobId: `cdj-${deps.newUuid()}`,
        botId: state.bot.botId,
        request,
        submittedAt: nowMs,
        scheduledAt,
        completesAt: scheduledAt + settings.jobRunMs,
        plan: {
          fails: deps.outcomeDraw() < settings.jobFailureRate,
          partial: deps.partialDraw() < settings.jobPartialFailureRate,
          partialShare: settings.jobPartialFailureShare,
          recoversOnRetry: settings.jobRecoversOnRetry,
          retries: settings.jobRetries,
          retryDelayMs: settings.jobRetryDelayMs,
          processLimit: settings.jobProcessLimit,
        },
        result: null,
        targets: [],
        deletedUnits: 0,
        lastRunAt: null,
        nextRetryAt: null,
        runs: 0,
      };
      state.jobs.set(job.jobId, job);
      pending.push({ job, at: job.completesAt });
      return job;
    },
    settle(nowMs) {
      for (;;) {
        let next: { job: Job; at: number } | undefined;
        for (const entry of pending) if (entry.at <= nowMs && (next === undefined || entry.at < next.at)) next = entry;
        if (next === undefined) return;
        pending = pending.filter((entry) => entry !== next);
        const state = deps.bot(next.job.botId);
        if (state === undefined) continue;
        if (next.job.result === null) firstRun(next.job, state);
        else retry(next.job, state, next.at);
      }
    },
    view(job, nowMs) {
      const settings = deps.settings();
      const started = nowMs >= job.scheduledAt;
      const done = job.result !== null;
      return {
        jobId: job.jobId,
        status: done ? (job.plan.fails ? settings.jobFailureStatus : 'completed') : started ? 'in_progress' : 'queued',
        requestType: job.request.type,
        submittedAt: iso(job.submittedAt),
        scheduledAt: iso(job.scheduledAt),
        startedAt: started ? iso(job.scheduledAt) : null,
        completedAt: job.lastRunAt === null ? null : iso(job.lastRunAt),
        result: job.result ?? { totalConversations: 0, processedCount: 0, deletedCount: 0, failedCount: 0, skippedCount: 0, retriesRemaining: job.plan.retries },
      };
    },
    reset() {
      pending = [];
    },
  };
}
