// What a task's upstream reference records about the vendor jobs it submitted (Kore.ai conversation-
// deletion jobs), as a contract between the vendor's classifier (which writes it) and the evidence and
// audit views (which read it): every job id the gateway received (`jobIds`), and every submit whose answer
// was lost (`lostSubmits`) — the vendor may hold a job for it that the gateway never saw.
import type { JsonObject } from './json.ts';

/** Task types whose first phase submits a vendor job, and that phase: an execution of it lost midway may have queued one. */
export const JOB_SUBMIT_TASK_TYPES = ['koreai.conversations', 'koreai.channel_user'] as const;
export const JOB_SUBMIT_PHASE = 'start';

/** A submit that may have reached the vendor although no usable answer came back. */
export type LostSubmit = {
  /** ISO instant of the attempt. */
  at: string;
  /**
   * `timeout`, `connection`, `protocol` (no answer), `unrecognised_answer` (a 2xx without a job id), or
   * `lease_expired` (the worker submitting it stopped answering: it may have sent it).
   */
  reason: string;
  /** HTTP status, when an answer came. */
  status?: number;
};

export function jobIdsOf(ref: JsonObject | null): string[] {
  const ids = ref?.jobIds;
  return Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : [];
}

export function lostSubmitsOf(ref: JsonObject | null): LostSubmit[] {
  const lost = ref?.lostSubmits;
  if (!Array.isArray(lost)) return [];
  const out: LostSubmit[] = [];
  for (const l of lost) {
    if (l === null || typeof l !== 'object') continue;
    const { at, reason, status } = l as Record<string, unknown>;
    if (typeof at !== 'string' || typeof reason !== 'string') continue;
    out.push(typeof status === 'number' ? { at, reason, status } : { at, reason });
  }
  return out;
}

/** The sentence an auditor reads in the evidence for each lost submit answer. */
export function lostSubmitNote(lost: LostSubmit): string {
  const how =
    lost.reason === 'lease_expired'
      ? 'no answer (the worker submitting it stopped)'
      : lost.status === undefined
        ? `no answer (${lost.reason})`
        : `an answer without a job id (HTTP ${lost.status})`;
  return `A job submit at ${lost.at} got ${how}: a job may have been queued twice — the vendor may hold a job whose id the gateway never received.`;
}
