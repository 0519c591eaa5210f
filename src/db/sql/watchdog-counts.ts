// What the watchdog's gauges read at scrape (reports/watchdog-gauges.ts), each through a partial index
// so a scrape costs the same with millions of finished tasks and requests:
// - stalled tasks per connection and type (task_stalled: marked tasks only);
// - the oldest open erasure task per connection and state (task_open_age);
// - open requests due in [from, until) (erasure_request_open_due).
import { sql, type Kysely } from 'kysely';
import { OPEN_STATUSES } from '../../domain/deadlines.ts';
import type { DB } from '../schema.ts';

export type StalledCount = { connection: string; type: string; n: number };

export async function countStalledTasksByConnection(db: Kysely<DB>): Promise<StalledCount[]> {
  const { rows } = await sql<StalledCount>`
    select coalesce(connection, '') as connection, type, count(*)::int as n from task
    where stalled_since is not null
    group by 1, 2`.execute(db);
  return rows;
}

export type OldestOpenTask = { connection: string; state: string; oldest: Date };

export async function oldestOpenTasks(db: Kysely<DB>): Promise<OldestOpenTask[]> {
  const { rows } = await sql<OldestOpenTask>`
    select connection, state, min(created_at) as oldest from task
    where state in ('pending', 'running', 'waiting') and connection is not null and type <> 'callback'
    group by connection, state`.execute(db);
  return rows;
}

export async function countOpenRequestsDue(db: Kysely<DB>, from: Date, until: Date): Promise<number> {
  const row = await db
    .selectFrom('erasure_request')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('status', 'in', [...OPEN_STATUSES])
    .where('due_at', '>=', from)
    .where('due_at', '<', until)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
