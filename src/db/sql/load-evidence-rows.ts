// Everything the evidence of one request is made of — the request, its tasks and its whole audit chain —
// read in one snapshot (repeatable read, read only), so the document never mixes two moments.
import type { Kysely } from 'kysely';
import { loadRequestChain } from '../events.ts';
import type { DB, ErasureRequestRow, RequestEventRow, TaskRow } from '../schema.ts';

export type EvidenceRows = { request: ErasureRequestRow; tasks: TaskRow[]; events: RequestEventRow[] };

/** Undefined when the request does not exist. */
export async function loadEvidenceRows(db: Kysely<DB>, requestId: string): Promise<EvidenceRows | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const request = await trx.selectFrom('erasure_request').selectAll().where('id', '=', requestId).executeTakeFirst();
      if (request === undefined) return undefined;
      const tasks = await trx.selectFrom('task').selectAll().where('request_id', '=', requestId).execute();
      return { request, tasks, events: await loadRequestChain(trx, requestId) };
    });
}
