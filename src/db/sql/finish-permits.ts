// Closes pacing permits as soon as their calls have answered, ahead of the settle transaction: a window
// slot frees at `end + window`, and other workers can only reserve it once the end is known.
// finished_at is the database time now minus the time the worker measured since the answer arrived.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.ts';

export async function finishPermits(db: Kysely<DB>, permits: ReadonlyArray<{ id: number; finishedAgoMs: number }>): Promise<void> {
  if (permits.length === 0) return;
  await sql`
    update pacing_permit pp
    set finished_at = clock_timestamp() - make_interval(secs => v.ago / 1000.0),
        expires_at = greatest(pp.expires_at, clock_timestamp())
    from unnest(${permits.map((p) => p.id)}::bigint[], ${permits.map((p) => Math.max(0, p.finishedAgoMs))}::float8[]) as v(id, ago)
    where pp.id = v.id and pp.finished_at is null`.execute(db);
}
