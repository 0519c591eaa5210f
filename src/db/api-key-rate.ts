// The per-key write limit (domain/write-rate.ts) applied in ONE statement on the unlogged api_key_rate:
// it grants up to `max` writes at once (a lease) — as many as the key's bucket holds — and moves the
// key's TAT by one interval each. The row lock makes concurrent statements of one key, from any
// replica, take turns, so the count is exact across replicas: the database decides, callers only ask.
import type { Database } from './database.ts';

export type WriteGrant = { granted: number; tat: Date };

// $1 key name, $2 now, $3 emission interval (ms), $4 window (ms), $5 most writes wanted.
// Writes the bucket holds now: floor((window - how far TAT is ahead of now) / interval); the epsilon
// absorbs the microsecond rounding of timestamps, so a bucket holding exactly k writes grants k.
// SET expressions read the row as it was, so `granted` and `tat` agree.
const HOLDS = `greatest(0, least($5::int, floor(($4::float8 - extract(epoch from greatest(r.tat, $2::timestamptz) - $2::timestamptz) * 1000) / $3::float8 + 1e-6)))::int`;
const TEXT = `insert into api_key_rate as r (api_key_name, tat, granted, updated_at)
values ($1::text, $2::timestamptz + least($5::int, floor($4::float8 / $3::float8 + 1e-6))::int * $3::float8 * interval '1 millisecond',
        least($5::int, floor($4::float8 / $3::float8 + 1e-6))::int, $2::timestamptz)
on conflict (api_key_name) do update set
  granted = ${HOLDS},
  tat = greatest(r.tat, $2::timestamptz) + ${HOLDS} * $3::float8 * interval '1 millisecond',
  updated_at = $2::timestamptz
returning tat, granted`;

const STATEMENT_NAME = 'eg_take_writes_v1';

/** Counts up to `max` writes of `apiKeyName`, as many as its bucket holds; `tat` is the key's state after. */
export async function takeWrites(
  database: Pick<Database, 'pool' | 'namedStatements'>,
  apiKeyName: string,
  now: Date,
  rule: { intervalMs: number; windowMs: number; max: number },
): Promise<WriteGrant> {
  const values = [apiKeyName, now, rule.intervalMs, rule.windowMs, rule.max];
  const query = database.namedStatements ? { name: STATEMENT_NAME, text: TEXT, values } : { text: TEXT, values };
  const { rows } = await database.pool.query<{ tat: Date; granted: number }>(query);
  const row = rows[0];
  if (row === undefined) throw new Error('api_key_rate upsert returned no row');
  return { granted: row.granted, tat: row.tat };
}
