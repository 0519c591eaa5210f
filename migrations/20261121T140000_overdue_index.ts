// Overdue lists: open requests past due, newest first. The list query orders by (created_at, id), so
// an index in that order over open requests only serves a page without sorting; due_at rides along to
// filter in the index. Measured on 1M requests (bench section 4): 23 ms -> 1 ms for overdue=true.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index erasure_request_open_created on erasure_request (created_at desc, id desc, due_at) where status in ('pending', 'in_progress', 'failed')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists erasure_request_open_created`.execute(db);
}
