// The audit_checkpoint and audit_checkpoint_head tables: signed checkpoints over every request's chain
// head, and each head stored once, in the first checkpoint that saw it (append-only, both).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { CheckpointLeaf } from '../domain/merkle.ts';
import type { AuditCheckpointTable, DB } from './schema.ts';

export type CheckpointRow = Selectable<AuditCheckpointTable>;

/** Serialises checkpoint creation across replicas; false when another holds it (this transaction only). */
export async function tryCheckpointLock(trx: Kysely<DB>): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(hashtextextended('erasure-audit-checkpoint', 0)) as ok`.execute(trx);
  return rows[0]!.ok;
}

export async function findLatestCheckpoint(db: Kysely<DB>): Promise<CheckpointRow | undefined> {
  return db.selectFrom('audit_checkpoint').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

/** Newest first, ids below `beforeId` (null: from the newest). */
export async function listCheckpoints(db: Kysely<DB>, beforeId: number | null, limit: number): Promise<CheckpointRow[]> {
  let q = db.selectFrom('audit_checkpoint').selectAll().orderBy('id', 'desc').limit(limit);
  if (beforeId !== null) q = q.where('id', '<', beforeId);
  return q.execute();
}

export type CurrentHead = CheckpointLeaf & { changed: boolean };

/**
 * Every request's head now, plus the last recorded head of any request that has since disappeared from
 * erasure_request (deleted behind the gateway's back: its leaf stays in every later checkpoint). `changed`:
 * not recorded yet as this request's latest checkpointed head.
 */
export async function readCurrentHeads(db: Kysely<DB>): Promise<CurrentHead[]> {
  const { rows } = await sql<{ request_id: string; seq: number; hash: string; changed: boolean }>`
    with last as (
      select distinct on (request_id) request_id, seq, hash from audit_checkpoint_head order by request_id, checkpoint_id desc
    )
    select coalesce(r.id, l.request_id) as request_id, coalesce(r.chain_seq, l.seq) as seq, coalesce(r.chain_head, l.hash) as hash,
      (r.id is not null and (l.request_id is null or l.seq <> r.chain_seq or l.hash <> r.chain_head)) as changed
    from erasure_request r full join last l on l.request_id = r.id`.execute(db);
  return rows.map((r) => ({ requestId: r.request_id, seq: r.seq, hash: r.hash, changed: r.changed }));
}

/** Checkpoint `id`'s leaves: each request's latest recorded head with checkpoint_id <= id. */
export async function readCheckpointLeaves(db: Kysely<DB>, id: number): Promise<CheckpointLeaf[]> {
  const { rows } = await sql<{ request_id: string; seq: number; hash: string }>`
    select distinct on (request_id) request_id, seq, hash from audit_checkpoint_head
    where checkpoint_id <= ${id} order by request_id, checkpoint_id desc`.execute(db);
  return rows.map((r) => ({ requestId: r.request_id, seq: r.seq, hash: r.hash }));
}

export async function insertCheckpoint(trx: Kysely<DB>, row: CheckpointRow, heads: readonly CheckpointLeaf[]): Promise<void> {
  await trx.insertInto('audit_checkpoint').values(row).execute();
  // Four parameters per head would run into the 65,535-parameter limit: arrays instead.
  for (let i = 0; i < heads.length; i += 10_000) {
    const batch = heads.slice(i, i + 10_000);
    await sql`
      insert into audit_checkpoint_head (request_id, checkpoint_id, seq, hash)
      select h.request_id, ${row.id}::bigint, h.seq, h.hash
      from unnest(${batch.map((h) => h.requestId)}::uuid[], ${batch.map((h) => h.seq)}::int[], ${batch.map((h) => h.hash)}::text[]) as h(request_id, seq, hash)`.execute(trx);
  }
}

/** Requests a checkpoint recorded that erasure_request no longer holds (deleted behind the gateway's back). */
export async function listVanishedRequests(db: Kysely<DB>, limit: number): Promise<Array<{ requestId: string; seq: number; checkpointId: number }>> {
  const { rows } = await sql<{ request_id: string; seq: number; checkpoint_id: number }>`
    select distinct on (h.request_id) h.request_id, h.seq, h.checkpoint_id from audit_checkpoint_head h
    where not exists (select 1 from erasure_request r where r.id = h.request_id)
    order by h.request_id, h.checkpoint_id desc limit ${limit}`.execute(db);
  return rows.map((r) => ({ requestId: r.request_id, seq: r.seq, checkpointId: Number(r.checkpoint_id) }));
}
