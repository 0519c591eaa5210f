// What a conversation-deletion task remembers of its Kore.ai jobs, in its upstream reference: every job id
// it ever received (`jobIds`, the contract in domain/upstream-jobs.ts), each job's last known status and
// counts (`jobs`), every submit whose answer was lost (`lostSubmits`), and — at the top level, as the
// tasks view has always shown it — the job being polled now (`jobId`, `jobStatus`, `submittedAt`,
// `scheduledAt`, …, `result`). Job ids, statuses, counts and times only: never a message from Kore.ai.
import type { JsonObject } from '../../domain/json.ts';
import { jobIdsOf, lostSubmitsOf, type LostSubmit } from '../../domain/upstream-jobs.ts';
import { deletedConversations, readJobCounts } from './job-verdict.ts';

export type JobRecord = {
  jobId: string;
  /** Kore.ai's `submittedAt` of the job (ours, when its answers carry none). */
  submittedAt: string;
  /** The last status read. */
  status: string;
  scheduledAt?: string;
  completedAt?: string;
  /** The counts of its last `completed` answer. */
  result?: JsonObject;
  /** How the gateway's wait for it ended (`succeeded`, `not_found`, `incomplete_job`, `timed_out`, `failed`). */
  end?: string;
};

export type JobLedger = { jobs: JobRecord[]; lostSubmits: LostSubmit[] };

/** Fields that describe the current job at the top level of the reference. */
const CURRENT_JOB_FIELDS = ['jobStatus', 'requestType', 'submittedAt', 'scheduledAt', 'startedAt', 'completedAt', 'result'] as const;

function readRecord(value: unknown): JobRecord | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.jobId !== 'string' || typeof v.submittedAt !== 'string' || typeof v.status !== 'string') return null;
  const r: JobRecord = { jobId: v.jobId, submittedAt: v.submittedAt, status: v.status };
  if (typeof v.scheduledAt === 'string') r.scheduledAt = v.scheduledAt;
  if (typeof v.completedAt === 'string') r.completedAt = v.completedAt;
  if (v.result !== null && typeof v.result === 'object' && !Array.isArray(v.result)) r.result = v.result as JsonObject;
  if (typeof v.end === 'string') r.end = v.end;
  return r;
}

export function readLedger(ref: JsonObject | null): JobLedger {
  const jobs: JobRecord[] = Array.isArray(ref?.jobs) ? (ref.jobs as unknown[]).map(readRecord).filter((r): r is JobRecord => r !== null) : [];
  // References written before the ledger existed name one job at the top level.
  const known = new Set(jobs.map((j) => j.jobId));
  for (const id of jobIdsOf(ref)) if (!known.has(id)) jobs.push({ jobId: id, submittedAt: String(ref?.submittedAt ?? ''), status: 'unknown' });
  if (jobs.length === 0 && typeof ref?.jobId === 'string') {
    jobs.push({ jobId: ref.jobId, submittedAt: typeof ref.submittedAt === 'string' ? ref.submittedAt : '', status: typeof ref.jobStatus === 'string' ? ref.jobStatus : 'unknown' });
  }
  return { jobs, lostSubmits: lostSubmitsOf(ref) };
}

export function withJob(ledger: JobLedger, record: JobRecord): JobLedger {
  const i = ledger.jobs.findIndex((j) => j.jobId === record.jobId);
  const jobs = i < 0 ? [...ledger.jobs, record] : ledger.jobs.map((j, k) => (k === i ? record : j));
  return { ...ledger, jobs };
}

export function withLostSubmit(ledger: JobLedger, lost: LostSubmit): JobLedger {
  return { ...ledger, lostSubmits: [...ledger.lostSubmits, lost] };
}

export function findJob(ledger: JobLedger, jobId: string): JobRecord | undefined {
  return ledger.jobs.find((j) => j.jobId === jobId);
}

/** Conversations the jobs other than `jobId` showed as deleted (earlier jobs of a re-driven task). */
export function deletedByOtherJobs(ledger: JobLedger, jobId: string): number {
  let n = 0;
  for (const j of ledger.jobs) {
    if (j.jobId === jobId) continue;
    const counts = readJobCounts(j.result);
    if (counts !== null) n += deletedConversations(counts);
  }
  return n;
}

/** The ledger as reference fields (merged over the task's reference by the settlement). */
export function ledgerRef(ledger: JobLedger): JsonObject {
  const ref: JsonObject = { jobIds: ledger.jobs.map((j) => j.jobId), jobs: ledger.jobs.map((j) => ({ ...j })) };
  if (ledger.lostSubmits.length > 0) ref.lostSubmits = ledger.lostSubmits.map((l) => ({ ...l }));
  return ref;
}

/** A new job becomes the current one: the previous job's top-level fields are cleared (they stay in `jobs`). */
export function clearCurrentJob(previous: JsonObject | null): JsonObject {
  const cleared: JsonObject = {};
  for (const k of CURRENT_JOB_FIELDS) if (previous !== null && previous[k] !== undefined && previous[k] !== null) cleared[k] = null;
  return cleared;
}
