// The console's overview reads aggregates that no earlier index serves:
// - requests finished per day (completed_at in the last 90 days): erasure_request_completed;
// - failed tasks per connection: task_failed_connection (failed tasks only, a small set);
// - median time to finish per connection over the last 90 days: task_finished carries the columns that
//   query needs, so it is an index-only range scan on finished_at.
// Each is partial, so intake and claims (unfinished tasks, open requests) do not pay for them.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index erasure_request_completed on erasure_request (completed_at) where completed_at is not null`.execute(db);
  await sql`create index task_failed_connection on task (connection) where state = 'failed'`.execute(db);
  await sql`create index task_finished on task (finished_at) include (connection, created_at, state, type) where finished_at is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists task_finished`.execute(db);
  await sql`drop index if exists task_failed_connection`.execute(db);
  await sql`drop index if exists erasure_request_completed`.execute(db);
}
