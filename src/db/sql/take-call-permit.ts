// A pacing permit for a call that is no task's (a connection check): the same advisory lock, pacing
// state and rule as claimPacedTasks, so the call spends the connection's budget like every other call
// and all replicas together stay within its limits. The permit has no task_id; the caller closes it
// with finishPermits once the answer came.
import { sql, type Kysely } from 'kysely';
import type { ConnectionLimits } from '../../domain/connection-limits.ts';
import { planPermits, type PermitPlan } from '../../domain/pacing.ts';
import type { DB } from '../schema.ts';
import { readPacingState } from './claim-paced-tasks.ts';

export type TakeCallPermitInput = {
  connection: string;
  limits: ConnectionLimits;
  /** Who holds the permit, e.g. `api-key:ops` or `worker:<id>`. */
  holder: string;
  /** How long an unfinished permit counts as in flight (the call's timeout and a margin). */
  permitTtlSeconds: number;
  /** A slot that frees within this many ms is reserved now, the permit starting when it frees. */
  horizonMs: number;
};

export type CallPermit =
  | { granted: true; permitId: number; startInMs: number }
  | { granted: false; reason: Exclude<PermitPlan['reason'], 'ok'>; retryInMs: number };

export async function takeCallPermit(db: Kysely<DB>, input: TakeCallPermitInput): Promise<CallPermit> {
  return db.transaction().execute(async (trx): Promise<CallPermit> => {
    await sql`select pg_advisory_xact_lock(hashtextextended(${`erasure-pacing:${input.connection}`}, 0))`.execute(trx);
    const state = await readPacingState(trx, input.connection, input.limits, 1);
    const plan = planPermits(state, input.limits, 1, input.horizonMs);
    const dbNow = state.dbNow.getTime();
    const start = plan.starts[0];
    if (start === undefined) {
      const reason = plan.reason === 'ok' ? 'window' : plan.reason;
      return { granted: false, reason, retryInMs: plan.retryAt === null ? 1000 : Math.max(1, plan.retryAt.getTime() - dbNow) };
    }
    const { rows } = await sql<{ id: number }>`
      insert into pacing_permit (connection, task_id, holder, started_at, expires_at)
      values (${input.connection}, null, ${input.holder}, greatest(clock_timestamp(), ${start.toISOString()}::timestamptz),
        greatest(clock_timestamp(), ${start.toISOString()}::timestamptz) + make_interval(secs => ${input.permitTtlSeconds}::float8))
      returning id`.execute(trx);
    return { granted: true, permitId: Number(rows[0]!.id), startInMs: Math.max(0, start.getTime() - dbNow) };
  });
}
