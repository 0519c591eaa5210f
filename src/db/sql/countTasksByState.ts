// Tasks per type and state, for the /metrics gauge (read at scrape time).
import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.ts';

export async function countTasksByState(db: Kysely<DB>): Promise<Array<{ type: string; state: string; n: number }>> {
  const { rows } = await sql<{ type: string; state: string; n: number }>`
    select type, state, count(*)::int as n from task group by type, state`.execute(db);
  return rows;
}
