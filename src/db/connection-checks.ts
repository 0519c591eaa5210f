// The connection_check table: the last check of each connection, and which connections it holds.
import { sql, type Kysely } from 'kysely';
import { HOLDING_CHECK_RESULTS, type ConnectionCheckRecord, type ConnectionCheckResult } from '../domain/connection-check.ts';
import type { DB } from './schema.ts';

export type ConnectionCheckRow = ConnectionCheckRecord & { connection: string; type: string };

/** Keeps `check` as the connection's last check (a later one replaces it; an older one arriving late does not). */
export async function recordConnectionCheck(db: Kysely<DB>, check: ConnectionCheckRow): Promise<void> {
  const values = {
    connection: check.connection,
    type: check.type,
    result: check.result,
    http_status: check.httpStatus,
    code: check.code,
    latency_ms: check.latencyMs,
    checked_at: new Date(check.checkedAt),
    checked_by: check.checkedBy,
  };
  await db
    .insertInto('connection_check')
    .values(values)
    .onConflict((oc) =>
      oc.column('connection').doUpdateSet(values).where('connection_check.checked_at', '<=', values.checked_at),
    )
    .execute();
}

/** The last checks of the given connections (all when `names` is undefined), by name. */
export async function lastConnectionChecks(db: Kysely<DB>, names?: readonly string[]): Promise<Map<string, ConnectionCheckRow>> {
  if (names !== undefined && names.length === 0) return new Map();
  let query = db.selectFrom('connection_check').selectAll();
  if (names !== undefined) query = query.where('connection', 'in', [...names]);
  const rows = await query.execute();
  return new Map(
    rows.map((r) => [
      r.connection,
      {
        connection: r.connection,
        type: r.type,
        result: r.result,
        httpStatus: r.http_status,
        code: r.code,
        latencyMs: r.latency_ms,
        checkedAt: r.checked_at.toISOString(),
        checkedBy: r.checked_by,
      },
    ]),
  );
}

/** The checks that hold their connection's deletions now, by connection name. */
export async function holdingConnectionChecks(db: Kysely<DB>, names: readonly string[]): Promise<Map<string, ConnectionCheckRow>> {
  const checks = await lastConnectionChecks(db, names);
  const held = HOLDING_CHECK_RESULTS as readonly ConnectionCheckResult[];
  return new Map([...checks].filter(([, c]) => held.includes(c.result)));
}

/** Pauses in force (after a rate-limit answer) on the database clock, as pacing judges them, by connection name. */
export async function activeConnectionPauses(db: Kysely<DB>): Promise<Map<string, Date>> {
  const rows = await db.selectFrom('connection_pacing').select(['connection', 'paused_until']).where('paused_until', '>', sql<Date>`clock_timestamp()`).execute();
  return new Map(rows.map((r) => [r.connection, r.paused_until]));
}
