// The per-key write limit, shared by every replica: one row per API key holding its GCRA state (the
// theoretical arrival time, domain/write-rate.ts), updated by one statement per write — or per lease of
// up to 32 writes for keys allowed many a second (services/write-rate-limit.ts).
//
// UNLOGGED: a write to it is not WAL-logged, so the statement's commit does not wait for a WAL flush —
// the row lock every write of one key takes is held for microseconds, not for an fsync. The price: after a
// Postgres crash (or on a promoted standby) the table is empty, i.e. every key starts with a full bucket.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create unlogged table api_key_rate (
      api_key_name text primary key,
      tat timestamptz not null,
      granted integer not null,
      updated_at timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists api_key_rate`.execute(db);
}
