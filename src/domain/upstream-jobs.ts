// What a task's upstream reference records about the vendor jobs it submitted (Kore.ai conversation-
// deletion jobs), as a contract between the vendor's classifier (which writes it) and the evidence and
// audit views (which read it): every job id the gateway received (`jobIds`), and every submit whose answer
// was lost (`lostSubmits`) — the vendor may hold a job for it that the gateway never saw.
import type { JsonObject } from './json.ts';

/** A submit that may have reached the vendor although no usable answer came back. */
export type LostSubmit = {
  /** ISO instant of the attempt. */
  at: string;
  /** `timeout`, `connection`, `protocol` (no answer), or `unrecognised_answer` (a 2xx without a job id). */
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
  const how = lost.status === undefined ? `no answer (${lost.reason})` : `an answer without a job id (HTTP ${lost.status})`;
  return `A job submit at ${lost.at} got ${how}: a job may have been queued twice — the vendor may hold a job whose id the gateway never received.`;
}
