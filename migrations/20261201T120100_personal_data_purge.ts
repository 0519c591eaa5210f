// Complete forgetting: a request's personal data (subject, callback URL, person-level locators, upstream
// free text on its tasks) is purged once, a configured time after it is final; personal_data_purged_at
// says when. Requests whose subject an earlier version purged get the rest purged too (the column starts
// null for every row). Idempotency answers expire: an index on their age.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table erasure_request add column personal_data_purged_at timestamptz`.execute(db);
  await sql`create index erasure_request_to_purge on erasure_request (completed_at) where personal_data_purged_at is null and completed_at is not null`.execute(db);
  // Served the purge of subjects only; erasure_request_to_purge replaces it.
  await sql`drop index if exists erasure_request_purge`.execute(db);
  await sql`create index idempotency_key_created on idempotency_key (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists idempotency_key_created`.execute(db);
  await sql`create index erasure_request_purge on erasure_request (completed_at) where subject is not null and completed_at is not null`.execute(db);
  await sql`drop index if exists erasure_request_to_purge`.execute(db);
  await sql`alter table erasure_request drop column personal_data_purged_at`.execute(db);
}
