// Console sign-ins: an API key exchanged for a session kept here. Only the SHA-256 of the session token is
// stored (the token itself lives in the browser's HttpOnly cookie), with the key's name, its configured
// SHA-256 (so a session ends when its key is removed or replaced in the configuration) and its scopes as
// they were at sign-in, and an absolute expiry (console.sessionHours).
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table console_session (
      token_hash text primary key,
      key_name text not null,
      key_sha256 text not null,
      scopes text[] not null,
      created_at timestamptz not null,
      expires_at timestamptz not null
    )`.execute(db);
  // Expired sessions are deleted in expiry order.
  await sql`create index console_session_expires on console_session (expires_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists console_session`.execute(db);
}
