// The verdict of a `completed` Kore.ai conversation-deletion job, from its counts (docs/verdicts.md,
// "Kore.ai"). Pure. The rule: `succeeded` only when the counts account for every conversation the task
// sent as deleted; `not_found` only when Kore.ai found nothing at all; a job with failures and retries left
// is not over; anything else — skipped, unprocessed, failed with no retries left — is an incomplete job.
//
// `deletedCount` is not a number of conversations (the docs' sample: 3 conversations, deletedCount 89 —
// messages), so the deleted conversations are reckoned as processed − failed − skipped, and never more
// than deletedCount: whichever way Kore.ai counts `processedCount`, that never over-counts.
import type { JsonObject } from '../../domain/json.ts';

export const JOB_COUNT_FIELDS = ['totalConversations', 'processedCount', 'deletedCount', 'failedCount', 'skippedCount', 'retriesRemaining'] as const;
export type JobCounts = Record<(typeof JOB_COUNT_FIELDS)[number], number>;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The six counts of a job's `result`, or null when any is missing or not a count (retriesRemaining may be absent: 0). */
export function readJobCounts(result: unknown): JobCounts | null {
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return null;
  const r = result as Record<string, unknown>;
  const retries = r.retriesRemaining ?? 0;
  if (!isCount(retries)) return null;
  const counts = { retriesRemaining: retries } as JobCounts;
  for (const k of JOB_COUNT_FIELDS) {
    if (k === 'retriesRemaining') continue;
    const v = r[k];
    if (!isCount(v)) return null;
    counts[k] = v;
  }
  return counts;
}

export function countsJson(c: JobCounts): JsonObject {
  return { ...c };
}

/** Conversations a job's counts show as deleted (see the file comment). */
export function deletedConversations(c: JobCounts): number {
  return Math.max(0, Math.min(c.processedCount - c.failedCount - c.skippedCount, c.deletedCount));
}

export type JobVerdict =
  | { kind: 'succeeded' }
  | { kind: 'not_found' }
  /** Completed with failures, and Kore.ai says it will retry them. */
  | { kind: 'retrying' }
  | { kind: 'incomplete'; accounted: number; expected: number | null }
  /** Counts that contradict the request or each other. */
  | { kind: 'unrecognised'; reason: string };

export type JobScope = {
  /** Distinct conversation ids the task sends; null for a channel-user job (Kore.ai finds them). */
  idsSent: number | null;
  /** Conversations the task's earlier jobs (before a re-drive) showed as deleted. */
  deletedByEarlierJobs: number;
};

export function jobVerdict(c: JobCounts, scope: JobScope): JobVerdict {
  const { idsSent } = scope;
  if (idsSent !== null && c.totalConversations > idsSent) return { kind: 'unrecognised', reason: 'more conversations than ids sent' };
  if (c.processedCount > c.totalConversations) return { kind: 'unrecognised', reason: 'more conversations processed than found' };
  if (c.failedCount > 0 && c.retriesRemaining > 0) return { kind: 'retrying' };
  if (c.totalConversations === 0 && c.processedCount === 0 && c.failedCount === 0 && c.skippedCount === 0) {
    // Kore.ai found nothing to delete. After an earlier job of this task deleted some, that means the rest is gone too.
    return scope.deletedByEarlierJobs > 0 ? { kind: 'succeeded' } : { kind: 'not_found' };
  }
  const deleted = deletedConversations(c);
  if (c.failedCount === 0 && c.processedCount === c.totalConversations) {
    if (idsSent === null) {
      if (c.skippedCount === 0 && deleted === c.totalConversations) return { kind: 'succeeded' };
    } else if (c.totalConversations === idsSent) {
      if (c.skippedCount === 0 && deleted === idsSent) return { kind: 'succeeded' };
      // A re-drive resends every id, and the ones an earlier job deleted are skipped now: they count as
      // deleted only when exactly that many are skipped and every other id is deleted by this job.
      if (c.skippedCount === scope.deletedByEarlierJobs && deleted + c.skippedCount === idsSent) return { kind: 'succeeded' };
    }
  }
  const accounted = idsSent === null ? deleted : Math.min(idsSent, deleted + Math.min(c.skippedCount, scope.deletedByEarlierJobs));
  return { kind: 'incomplete', accounted, expected: idsSent ?? c.totalConversations };
}
