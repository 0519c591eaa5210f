// Permits that can no longer count in any window (their end is older than the longest window) are
// deleted, so pacing reads stay small. finished_at <= expires_at, so expires_at alone decides.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.ts';

export async function deleteOldPermits(db: Kysely<DB>, input: { olderThanSeconds: number; limit: number }): Promise<number> {
  const res = await sql`
    delete from pacing_permit where id in (
      select id from pacing_permit
      where expires_at < clock_timestamp() - make_interval(secs => ${input.olderThanSeconds}::float8)
      limit ${input.limit})`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
