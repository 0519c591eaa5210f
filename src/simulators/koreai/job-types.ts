// A deletion job as the Kore.ai simulator keeps it (jobs.ts runs them; store.ts holds them per bot).

export type JobRequest =
  | { type: 'conversationIds'; conversationIds: string[] }
  | { type: 'cId'; cId: string; fromMs: number | null; toMs: number | null };

export type JobResult = {
  totalConversations: number;
  processedCount: number;
  deletedCount: number;
  failedCount: number;
  skippedCount: number;
  retriesRemaining: number;
};

/** What a job will do, fixed when it is submitted (later setting changes do not alter queued jobs). */
export type JobPlan = {
  /** Ends in `jobFailureStatus` without deleting anything. */
  fails: boolean;
  /** Some of its conversations fail to delete on the first run (`jobPartialFailureRate`). */
  partial: boolean;
  partialShare: number;
  /** Attempt number (1 = first retry) on which the partially failed conversations delete; null: never. */
  recoversOnRetry: number | null;
  retries: number;
  retryDelayMs: number;
  /** Only the first N candidates are processed; the rest are left untouched (`jobProcessLimit`). */
  processLimit: number | null;
};

export type JobTarget = { id: string; state: 'pending' | 'failed' | 'deleted' | 'skipped'; jobFailuresLeft: number };

export type Job = {
  jobId: string;
  botId: string;
  request: JobRequest;
  submittedAt: number;
  scheduledAt: number;
  completesAt: number;
  plan: JobPlan;
  /** Filled in when the job first runs, updated by each retry. */
  result: JobResult | null;
  targets: JobTarget[];
  /** Deletion units (conversations or messages) deleted so far. */
  deletedUnits: number;
  lastRunAt: number | null;
  nextRetryAt: number | null;
  runs: number;
};
