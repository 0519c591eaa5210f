// Everything the evidence of one request is made of — the request, its tasks, its whole audit chain and
// what was recorded about the chain (stored head, checkpointed heads), and the evidence already stored —
// read together, so the document never mixes two moments.
import type { Kysely } from 'kysely';
import type { ChainRecords } from '../../domain/event-chain.ts';
import { findEvidenceFor, findLatestEvidence, type StoredEvidence } from '../evidence.ts';
import { loadChainRecords, loadRequestChain } from '../events.ts';
import type { DB, ErasureRequestRow, RequestEventRow, TaskRow } from '../schema.ts';

export type EvidenceRows = {
  request: ErasureRequestRow;
  tasks: TaskRow[];
  events: RequestEventRow[];
  records: ChainRecords;
  /** The evidence stored for the request's current finality (none while it is not final). */
  stored: StoredEvidence | undefined;
  /** The latest evidence stored for it, of this finality or an earlier one. */
  latest: StoredEvidence | undefined;
};

/** In the caller's transaction (e.g. the settle transaction, request row locked). Undefined when the request does not exist. */
export async function loadEvidenceRowsIn(trx: Kysely<DB>, requestId: string): Promise<EvidenceRows | undefined> {
  const request = await trx.selectFrom('erasure_request').selectAll().where('id', '=', requestId).executeTakeFirst();
  if (request === undefined) return undefined;
  const tasks = await trx.selectFrom('task').selectAll().where('request_id', '=', requestId).execute();
  const events = await loadRequestChain(trx, requestId);
  const records = (await loadChainRecords(trx, requestId))!;
  const stored = request.completed_at === null ? undefined : await findEvidenceFor(trx, requestId, request.completed_at);
  return { request, tasks, events, records, stored, latest: stored ?? (await findLatestEvidence(trx, requestId)) };
}

/** In one snapshot of its own (repeatable read, read only). */
export async function loadEvidenceRows(db: Kysely<DB>, requestId: string): Promise<EvidenceRows | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => loadEvidenceRowsIn(trx, requestId));
}
