// Signed checkpoints over every request's chain head (docs: README "Checkpoints"). A checkpoint is a
// Merkle tree (RFC 9162) over the heads as they were at that time; audit_checkpoint_head stores a head
// once, in the first checkpoint that saw it, so checkpoint K's leaves are each request's latest row with
// checkpoint_id <= K. No foreign key to erasure_request: a head must outlive a request deleted behind the
// gateway's back — proving that deletion is what it is for. Append-only.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table audit_checkpoint (
      id bigint primary key,
      created_at timestamptz not null,
      tree_size integer not null,
      root_hash text not null,
      kid text not null,
      jws text not null
    )`.execute(db);
  await sql`
    create table audit_checkpoint_head (
      request_id uuid not null,
      checkpoint_id bigint not null references audit_checkpoint (id),
      seq integer not null,
      hash text not null,
      primary key (request_id, checkpoint_id)
    )`.execute(db);
  for (const table of ['audit_checkpoint', 'audit_checkpoint_head']) {
    await sql`
      create trigger ${sql.raw(`${table}_no_update_delete`)} before update or delete on ${sql.table(table)}
      for each row execute function audit_append_only()`.execute(db);
    await sql`
      create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function audit_append_only()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists audit_checkpoint_head, audit_checkpoint`.execute(db);
}
