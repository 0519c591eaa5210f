// Issues the signed evidence of one request: reads the request, its erasure tasks and its audit chain in
// one snapshot (db/sql/load-evidence-rows.ts), checks the chain, and signs the document. A broken chain gets no evidence.
import type { Kysely } from 'kysely';
import type { DB, RequestEventRow } from '../db/schema.ts';
import { verifyChain, type ChainVerdict } from '../domain/event-chain.ts';
import { loadEvidenceRows } from '../db/sql/load-evidence-rows.ts';
import { buildEvidenceDocument, type EvidenceChain, type EvidencePayload } from './evidence-document.ts';
import { signCompactJws } from './jws.ts';
import type { EvidenceSigningKey } from './signing-key.ts';

export const DEFAULT_EVIDENCE_ISSUER = 'erasure-gateway';

export type EvidenceResult =
  | { kind: 'issued'; jws: string; payload: EvidencePayload }
  | { kind: 'not_found' }
  | { kind: 'chain_broken'; brokenAt: Extract<ChainVerdict, { valid: false }>['brokenAt'] };

/**
 * Events written after a request is final that do not belong in its evidence: the callback deliveries
 * (events of callback tasks, `callback.*`) and the purge of the subject. Leaving them out keeps the
 * evidence of a final request identical however often it is fetched.
 */
export function isAfterFinalEvent(e: Pick<RequestEventRow, 'type' | 'task_id'>, callbackTaskIds: ReadonlySet<string>): boolean {
  return e.type === 'subject.purged' || e.type.startsWith('callback.') || (e.task_id !== null && callbackTaskIds.has(e.task_id));
}

/** The part of a (valid) chain the evidence attests: all of it, or for a final request up to its last erasure event. */
export function evidenceChain(events: readonly RequestEventRow[], final: boolean, callbackTaskIds: ReadonlySet<string>): EvidenceChain {
  let through = events.length;
  if (final) {
    while (through > 0 && isAfterFinalEvent(events[through - 1]!, callbackTaskIds)) through -= 1;
  }
  const head = through > 0 ? events[through - 1]!.hash : '0'.repeat(64);
  return { throughSeq: through, events: through, headHash: head };
}

export type IssueEvidenceOptions = {
  key: EvidenceSigningKey;
  now: Date;
  issuer?: string;
  /** The subject hash key (privacy.subjectHashKey). */
  hashKey: string;
};

export async function issueEvidence(db: Kysely<DB>, requestId: string, options: IssueEvidenceOptions): Promise<EvidenceResult> {
  const rows = await loadEvidenceRows(db, requestId);
  if (rows === undefined) return { kind: 'not_found' };
  const { request, tasks, events } = rows;
  const verdict = verifyChain(events);
  if (!verdict.valid) return { kind: 'chain_broken', brokenAt: verdict.brokenAt };
  const callbackTaskIds = new Set(tasks.filter((t) => t.type === 'callback').map((t) => t.id));
  const payload = buildEvidenceDocument({
    request,
    tasks: tasks.filter((t) => t.type !== 'callback'),
    chain: evidenceChain(events, request.completed_at !== null, callbackTaskIds),
    issuer: options.issuer ?? DEFAULT_EVIDENCE_ISSUER,
    now: options.now,
    hashKey: options.hashKey,
  });
  return { kind: 'issued', jws: signCompactJws(options.key, payload), payload };
}
