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

export type Job = {
  jobId: string;
  botId: string;
  request: JobRequest;
  submittedAt: number;
  scheduledAt: number;
  completesAt: number;
  fails: boolean;
  /** Filled in when the job runs. */
  result: JobResult | null;
};
