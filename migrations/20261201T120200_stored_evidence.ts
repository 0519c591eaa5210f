// Evidence signed once and kept: when a request becomes final its evidence is signed and stored here, and
// GET …/evidence answers these bytes ever after. One per finality (a re-drive reopens the request; its
// next finality gets evidence that names the one it supersedes). Append-only, like the trail.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table request_evidence (
      id uuid primary key,
      request_id uuid not null references erasure_request (id),
      completed_at timestamptz not null,
      issued_at timestamptz not null,
      kid text not null,
      jws text not null,
      supersedes uuid references request_evidence (id),
      unique (request_id, completed_at)
    )`.execute(db);
  await sql`
    create trigger request_evidence_no_update_delete before update or delete on request_evidence
    for each row execute function audit_append_only()`.execute(db);
  await sql`
    create trigger request_evidence_no_truncate before truncate on request_evidence
    for each statement execute function audit_append_only()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table if exists request_evidence`.execute(db);
}
