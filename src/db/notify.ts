// Waking workers: NOTIFY on one channel, which every worker LISTENs on (worker/wake-listener.ts). Workers
// also poll, so a lost notification only delays work.
//
// Two ways to send it. Inside a transaction (notifyTasksAvailable) it is delivered at commit — right for
// rare operator actions (cancel, re-drive). After an intake commit (nudgeWorkers) it is sent apart: a
// transaction that notifies takes a database-wide lock at commit and holds it until its commit record is
// flushed, so notifying commits cannot share a WAL flush (no group commit) — measured, the bare baseline
// drops from ~2,300 to ~1,100 inserts/s with a NOTIFY in each transaction (bench/REPORT.md, section 1).
// nudgeWorkers sends one NOTIFY for every burst of submits (at most one in flight per pool; submits
// committed meanwhile are covered by one more).
import { sql, type Kysely } from 'kysely';
import type pg from 'pg';
import type { DB } from './schema.ts';

/** The channel workers LISTEN on: a payload-less nudge that due tasks may exist. */
export const TASKS_CHANNEL = 'erasure_tasks';

/** Wakes listening workers when the transaction commits (NOTIFY is delivered on commit only). */
export async function notifyTasksAvailable(trx: Kysely<DB>): Promise<void> {
  await sql`select pg_notify(${TASKS_CHANNEL}, '')`.execute(trx);
}

type NudgeState = { inFlight: boolean; again: boolean };
const nudges = new WeakMap<pg.Pool, NudgeState>();

/**
 * NOTIFY, coalesced: called after a submit has committed. If a NOTIFY is already on its way,
 * one more follows it (it may have been sent before this submit committed); calls meanwhile share it.
 */
export function nudgeWorkers(pool: pg.Pool, onError?: (err: Error) => void): void {
  let state = nudges.get(pool);
  if (state === undefined) {
    state = { inFlight: false, again: false };
    nudges.set(pool, state);
  }
  if (state.inFlight) {
    state.again = true;
    return;
  }
  state.inFlight = true;
  const s = state;
  pool.query(NOTIFY).then(
    () => finish(),
    (err: Error) => {
      onError?.(err);
      finish();
    },
  );
  function finish(): void {
    s.inFlight = false;
    if (s.again) {
      s.again = false;
      nudgeWorkers(pool, onError);
    }
  }
}

// Unnamed: it is tiny to parse (and named statements need Database.namedStatements).
const NOTIFY = `select pg_notify('${TASKS_CHANNEL}', '')`;
