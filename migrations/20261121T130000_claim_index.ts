// Claims always name their connections, so task_due_connection serves every claim. With task_due also
// present, Postgres at scale reads due tasks in time order from task_due and filters them by
// connection: with a backlog of 200,000 due Kore.ai tasks, claiming Cartesia tasks read and discarded
// 200,068 rows (180 ms) instead of 1 ms through task_due_connection (bench/REPORT.md, section 4).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists task_due`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`create index task_due on task (next_attempt_at) where state in ('pending', 'waiting')`.execute(db);
}
