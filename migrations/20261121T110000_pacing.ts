// Upstream pacing shared by all replicas, and the index that keeps per-connection claims cheap.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // One row per upstream call a worker was allowed to make. A permit counts against a connection's
  // rolling windows until `coalesce(finished_at, expires_at) + window` has passed, and against its
  // concurrency while unfinished and unexpired (expires_at bounds a crashed worker's permits).
  await sql`
    create table pacing_permit (
      id bigint generated always as identity primary key,
      connection text not null,
      task_id uuid,
      holder text not null,
      started_at timestamptz not null,
      finished_at timestamptz,
      expires_at timestamptz not null
    )`.execute(db);
  // finished_at <= expires_at always holds (a late finish pushes expires_at), so a range on expires_at
  // finds every permit that may still count in a window.
  await sql`create index pacing_permit_connection_expires on pacing_permit (connection, expires_at)`.execute(db);

  // A connection whose claims are paused until a time (upstream said rate-limited, or pacing is saturated).
  await sql`
    create table connection_pacing (
      connection text primary key,
      paused_until timestamptz not null,
      reason text not null,
      updated_at timestamptz not null
    )`.execute(db);

  // Claims for one connection (paced claims) read only that connection's due tasks, in due order.
  await sql`create index task_due_connection on task (connection, next_attempt_at) where state in ('pending', 'waiting')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists task_due_connection`.execute(db);
  await sql`drop table if exists connection_pacing, pacing_permit`.execute(db);
}
