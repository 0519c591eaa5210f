// The request_evidence table: evidence signed once per finality of a request and kept (append-only).
import type { Kysely, Selectable } from 'kysely';
import type { DB, RequestEvidenceTable } from './schema.ts';

export type StoredEvidence = Selectable<RequestEvidenceTable>;

/** The evidence of the request's finality at `completedAt`, if it was stored. */
export async function findEvidenceFor(db: Kysely<DB>, requestId: string, completedAt: Date): Promise<StoredEvidence | undefined> {
  return db.selectFrom('request_evidence').selectAll().where('request_id', '=', requestId).where('completed_at', '=', completedAt).executeTakeFirst();
}

/** The request's latest stored evidence (of its latest finality), if any. */
export async function findLatestEvidence(db: Kysely<DB>, requestId: string): Promise<StoredEvidence | undefined> {
  return db.selectFrom('request_evidence').selectAll().where('request_id', '=', requestId).orderBy('completed_at', 'desc').limit(1).executeTakeFirst();
}

/** Stores evidence unless the finality already has some; returns what is stored for it now. */
export async function insertEvidence(trx: Kysely<DB>, row: StoredEvidence): Promise<StoredEvidence> {
  await trx.insertInto('request_evidence').values(row).onConflict((oc) => oc.columns(['request_id', 'completed_at']).doNothing()).execute();
  const stored = await findEvidenceFor(trx, row.request_id, row.completed_at);
  if (stored === undefined) throw new Error(`evidence of request ${row.request_id} was not stored`);
  return stored;
}

/** Stores several (one statement); a finality that already has evidence keeps it. */
export async function insertEvidenceRows(trx: Kysely<DB>, rows: readonly StoredEvidence[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('request_evidence').values([...rows]).onConflict((oc) => oc.columns(['request_id', 'completed_at']).doNothing()).execute();
}
