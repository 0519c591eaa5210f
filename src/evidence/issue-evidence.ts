// GET …/evidence as a use case. The chain is verified first (its links, the stored head, the checkpointed
// heads): a chain that does not verify gets no evidence, stored or not. A final request answers the
// evidence stored when it became final, byte for byte; one that became final without it (it was final
// before this version, or its finality came from a path that had no signing key) gets it signed and stored
// now, once. A request not final answers a provisional document (`final: false`), signed now and not kept.
import type { Kysely } from 'kysely';
import { lockRequest } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import type { TenantScope } from '../domain/caller.ts';
import { loadEvidenceRows } from '../db/sql/load-evidence-rows.ts';
import { verifyChain } from '../domain/event-chain.ts';
import type { EvidencePayload } from './evidence-document.ts';
import { signCompactJws } from './jws.ts';
import { evidencePayload, storeEvidenceIfFinal, type BrokenChain, type EvidenceSigner } from './store-evidence.ts';

export type EvidenceResult =
  | { kind: 'issued'; jws: string; kid: string; payload: EvidencePayload; stored: boolean }
  | { kind: 'not_found' }
  | { kind: 'chain_broken'; brokenAt: BrokenChain };

export type IssueEvidenceOptions = EvidenceSigner & {
  now: Date;
  /** Whose requests may be found: an API caller's readScopeOf (another tenant's request is not_found). */
  scope: TenantScope;
};

/** The header's kid and the payload of a compact JWS we signed. */
function decode(jws: string): { kid: string; payload: EvidencePayload } {
  const [header, payload] = jws.split('.');
  return {
    kid: (JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as { kid: string }).kid,
    payload: JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as EvidencePayload,
  };
}

const issued = (jws: string, stored: boolean): EvidenceResult => ({ kind: 'issued', jws, stored, ...decode(jws) });

export async function issueEvidence(db: Kysely<DB>, requestId: string, options: IssueEvidenceOptions): Promise<EvidenceResult> {
  const rows = await loadEvidenceRows(db, requestId, options.scope);
  if (rows === undefined) return { kind: 'not_found' };
  const verdict = verifyChain(rows.events, rows.records);
  if (!verdict.valid) return { kind: 'chain_broken', brokenAt: verdict.brokenAt };
  if (rows.stored !== undefined) return issued(rows.stored.jws, true);
  if (rows.request.completed_at === null) return issued(signCompactJws(options.key, evidencePayload(rows, options, options.now)), false);
  const result = await db.transaction().execute(async (trx) => {
    if (!(await lockRequest(trx, requestId))) return { kind: 'not_found' as const };
    return storeEvidenceIfFinal(trx, requestId, options, options.now);
  });
  switch (result.kind) {
    case 'stored':
      return issued(result.evidence.jws, true);
    case 'chain_broken':
    case 'not_found':
      return result;
    case 'not_final':
      // Re-driven between the read and the lock: what it is now.
      return issueEvidence(db, requestId, options);
  }
}
