// The last check of each connection (one harmless authenticated call, docs/verdicts.md "Connections").
// While it says `auth_failed` or `unexpected_answer`, claims skip the connection's tasks: no deletion is
// sent with a key or an address known to be wrong. Its `checked_at` also tells workers that a connection
// is still configured somewhere (tasks of a connection nobody checks any more fail as removed).
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table connection_check (
      connection text primary key,
      type text not null,
      result text not null check (result in ('ok', 'auth_failed', 'unexpected_answer', 'unreachable')),
      http_status integer,
      code text,
      latency_ms integer,
      checked_at timestamptz not null,
      checked_by text not null
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists connection_check`.execute(db);
}
