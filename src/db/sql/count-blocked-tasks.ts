// Connections held by their last check, with their open tasks (read at /metrics scrape time). One index
// range per held connection (task_due_connection), so a scrape stays cheap however many tasks exist.
import { sql, type Kysely } from 'kysely';
import { HOLDING_CHECK_RESULTS } from '../../domain/connection-check.ts';
import type { DB } from '../schema.ts';

export type HeldConnection = { connection: string; result: string; tasks: number };

export async function countBlockedTasks(db: Kysely<DB>): Promise<HeldConnection[]> {
  const { rows } = await sql<HeldConnection>`
    select cc.connection, cc.result,
      (select count(*)::int from task t where t.connection = cc.connection and t.state in ('pending', 'waiting')) as tasks
    from connection_check cc
    where cc.result = any(${[...HOLDING_CHECK_RESULTS]}::text[])`.execute(db);
  return rows;
}
