// Evidence signed once and kept: when a request is final, its evidence is built from the rows, signed and
// stored, in the caller's transaction (the settle transaction that made it final, a cancel, or the first
// fetch of a request that became final some other way). It names the evidence of an earlier finality it
// supersedes. A chain that does not verify gets none: GET …/evidence then answers 409.
import type { Kysely } from 'kysely';
import type { IdSource } from '../clock.ts';
import { insertEvidence, insertEvidenceRows, type StoredEvidence } from '../db/evidence.ts';
import type { DB } from '../db/schema.ts';
import { loadEvidenceRowsIn, loadEvidenceRowsOf, type EvidenceRows } from '../db/sql/load-evidence-rows.ts';
import { verifyChainLinks, type ChainVerdict } from '../domain/event-chain.ts';
import { buildEvidenceDocument, type EvidencePayload } from './evidence-document.ts';
import { evidenceChain } from './evidence-chain.ts';
import { signCompactJws } from './jws.ts';
import type { EvidenceSigningKey } from './signing-key.ts';

export const DEFAULT_EVIDENCE_ISSUER = 'erasure-gateway';

/** What signing evidence takes: the key, the subject hash key (for person-level locators), ids. */
export type EvidenceSigner = {
  key: EvidenceSigningKey;
  /** privacy.subjectHashKey */
  hashKey: string;
  ids: IdSource;
  /** The evidence's `iss`; default `erasure-gateway`. */
  issuer?: string;
};

export type BrokenChain = Extract<ChainVerdict, { valid: false }>['brokenAt'];

export type StoreEvidenceResult =
  | { kind: 'stored'; evidence: StoredEvidence }
  | { kind: 'not_found' }
  | { kind: 'not_final' }
  | { kind: 'chain_broken'; brokenAt: BrokenChain };

/** The payload for these rows: final (to be stored, with an id) or provisional (the request is not final). */
export function evidencePayload(rows: EvidenceRows, signer: EvidenceSigner, now: Date, evidenceId?: string): EvidencePayload {
  const { request, tasks, events, latest } = rows;
  const final = request.completed_at !== null;
  const callbackTaskIds = new Set(tasks.filter((t) => t.type === 'callback').map((t) => t.id));
  const supersedes = latest !== undefined && latest.completed_at.getTime() !== request.completed_at?.getTime() ? latest.id : null;
  return buildEvidenceDocument({
    request,
    tasks: tasks.filter((t) => t.type !== 'callback'),
    chain: evidenceChain(events, final, callbackTaskIds),
    issuer: signer.issuer ?? DEFAULT_EVIDENCE_ISSUER,
    now,
    hashKey: signer.hashKey,
    supersedes,
    ...(evidenceId === undefined ? {} : { evidenceId }),
  });
}

/** Builds and signs the evidence of a final request from its rows; null when it is stored already or not final. */
function signFinal(rows: EvidenceRows, signer: EvidenceSigner, now: Date): StoredEvidence | StoreEvidenceResult | null {
  const completedAt = rows.request.completed_at;
  if (completedAt === null) return { kind: 'not_final' };
  if (rows.stored !== undefined) return null;
  // The links, the stored head and the checkpoints; each event's contents are rehashed at every read of
  // the evidence (issue-evidence.ts), which refuses it if they no longer match.
  const verdict = verifyChainLinks(rows.events, rows.records);
  if (!verdict.valid) return { kind: 'chain_broken', brokenAt: verdict.brokenAt };
  const id = signer.ids.uuid();
  return {
    id,
    request_id: rows.request.id,
    completed_at: completedAt,
    issued_at: now,
    kid: signer.key.kid,
    jws: signCompactJws(signer.key, evidencePayload(rows, signer, now, id)),
    supersedes: rows.latest?.id ?? null,
  };
}

/** The caller holds the request's row lock. Stores (once) the evidence of the request's current finality. */
export async function storeEvidenceIfFinal(trx: Kysely<DB>, requestId: string, signer: EvidenceSigner, now: Date): Promise<StoreEvidenceResult> {
  const rows = await loadEvidenceRowsIn(trx, requestId);
  if (rows === undefined) return { kind: 'not_found' };
  const signed = signFinal(rows, signer, now);
  if (signed === null) return { kind: 'stored', evidence: rows.stored! };
  if ('kind' in signed) return signed;
  return { kind: 'stored', evidence: await insertEvidence(trx, signed) };
}

/**
 * storeEvidenceIfFinal for every request a settle transaction made final, in a few statements for the
 * whole batch (the caller holds their row locks). A request whose chain does not verify is left without
 * evidence: GET …/evidence answers 409 and says why. Returns how many were stored.
 */
export async function storeEvidenceOfFinalRequests(trx: Kysely<DB>, requestIds: readonly string[], signer: EvidenceSigner, now: Date): Promise<number> {
  const rows = await loadEvidenceRowsOf(trx, requestIds);
  const signed = [...rows.values()].map((r) => signFinal(r, signer, now)).filter((e): e is StoredEvidence => e !== null && !('kind' in e));
  await insertEvidenceRows(trx, signed);
  return signed.length;
}
