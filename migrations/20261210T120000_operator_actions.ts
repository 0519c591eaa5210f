// Operator actions (issue 14): a task an operator skips is `skipped` (final, not erasure), and a request
// whose tasks are all final, none failed and some skipped is `completed_with_exceptions`; how an
// operator closed a task (skipped with a reason, or resolved by hand with a reference) is kept on the task
// (`resolution`), and a request's one deadline extension on the request (`extension`).
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table task drop constraint task_state_check`.execute(db);
  await sql`alter table task add constraint task_state_check
    check (state in ('pending', 'running', 'waiting', 'succeeded', 'not_found', 'failed', 'cancelled', 'skipped'))`.execute(db);
  await sql`alter table erasure_request drop constraint erasure_request_status_check`.execute(db);
  await sql`alter table erasure_request add constraint erasure_request_status_check
    check (status in ('pending', 'in_progress', 'completed', 'completed_with_exceptions', 'failed', 'cancelled'))`.execute(db);
  await sql`alter table task add column resolution jsonb`.execute(db);
  await sql`alter table erasure_request add column extension jsonb`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table erasure_request drop column if exists extension`.execute(db);
  await sql`alter table task drop column if exists resolution`.execute(db);
  await sql`alter table erasure_request drop constraint erasure_request_status_check`.execute(db);
  await sql`alter table erasure_request add constraint erasure_request_status_check
    check (status in ('pending', 'in_progress', 'completed', 'failed', 'cancelled'))`.execute(db);
  await sql`alter table task drop constraint task_state_check`.execute(db);
  await sql`alter table task add constraint task_state_check
    check (state in ('pending', 'running', 'waiting', 'succeeded', 'not_found', 'failed', 'cancelled'))`.execute(db);
}
