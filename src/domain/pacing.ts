// Upstream pacing shared by every replica through Postgres.
//
// Design (an improvement on "deny, defer the task, pause the connection"): a permit is handed out
// WITH the claim. claimPacedTasks takes the connection's advisory lock, counts the permits that may
// still count upstream, and claims only as many due tasks as there are free slots, inserting one
// permit per task. So a task is never claimed just to be refused: no churn of claim → deny → defer
// under saturation, no attempts spent, and tasks stay `pending` in due order. When no slot is free the
// claim returns the earliest time one frees, and the worker sleeps until then (its own timer; other
// replicas learn the same from their own claim). `connection_pacing` still pauses a connection when the
// upstream itself answers "rate limited" (e.g. Kore.ai's hourly limit), for every replica.
//
// Reservations: the claim also hands out slots that free within a short horizon (a few claim
// latencies), each permit starting at the instant its slot frees; the worker makes each call at its
// permit's start, never before. So a saturated connection costs one claim per horizon rather than one
// per slot, and claim latency does not delay the calls (without it, the delay compounds once per
// window: ~89% of the limit on a loaded embedded engine).
//
// What counts: the upstream counts a call when it receives it, at some instant between our start and
// our end. So a permit counts in a window of `w` seconds while `end + w` is in the future, where end is
// finished_at, or expires_at while unfinished (a crashed worker's permit). Counting by end time is
// conservative whatever the network latency. In flight = unfinished and unexpired. Times are the
// database's clock_timestamp(), so replicas agree whatever their own clocks say; finished_at is the
// database time of settlement minus the time the worker measured since the answer arrived.
import type { ConnectionLimits } from './connection-limits.ts';

/** Added to every window, for clock granularity between us and the upstream. */
export const PACING_MARGIN_SECONDS = 0.01;
/** When the blocking permit is still open (or concurrency is full) its end is unknown: look again this soon. */
export const OPEN_PERMIT_RECHECK_MS = 50;

export type WindowUse = {
  max: number;
  seconds: number;
  /** Permits that may still count in this window. */
  used: number;
  /**
   * Ends of the counting permits, newest first, from the `lo`-th newest (1-based) to the max-th:
   * the ones whose leaving frees the next slots. null for an unfinished permit (end not known).
   */
  ends: Array<Date | null>;
  lo: number;
};

export type PacingState = {
  dbNow: Date;
  pausedUntil: Date | null;
  inFlight: number;
  windows: WindowUse[];
};

export type PermitPlan = {
  /** Start of each permit granted (now, or the instant its slot frees), in order; empty when none. */
  starts: Date[];
  /** When fewer than wanted were granted: when to look again for the next one. */
  retryAt: Date | null;
  /** Why no more could be granted ('ok' when all were). */
  reason: 'ok' | 'paused' | 'window' | 'concurrency';
};

/**
 * Up to `wanted` permits: the k-th (k = 0, 1, …) may start once, in every window, the permit whose
 * leaving makes room for it has left (the (max − k)-th newest: its end + the window), and while
 * in-flight + k stays below the concurrency. Slots that free later than `horizonMs` from now, or after
 * an unfinished permit (end unknown), are left for a later claim: retryAt says when to look.
 */
export function planPermits(state: PacingState, limits: ConnectionLimits, wanted: number, horizonMs = 0): PermitPlan {
  const now = state.dbNow.getTime();
  if (state.pausedUntil !== null && state.pausedUntil.getTime() > now) return { starts: [], retryAt: state.pausedUntil, reason: 'paused' };
  const soon = now + OPEN_PERMIT_RECHECK_MS;
  const starts: Date[] = [];
  const stop = (retryAt: number, reason: PermitPlan['reason']): PermitPlan => ({ starts, retryAt: new Date(Math.max(retryAt, now + 1)), reason });
  for (let k = 0; k < wanted; k += 1) {
    if (limits.concurrency !== undefined && state.inFlight + k >= limits.concurrency) return stop(soon, 'concurrency');
    let at = now;
    let unknown = false;
    for (const w of state.windows) {
      const index = w.max - k; // this permit must have left the window first (1-based, newest first)
      if (index > w.used) continue; // fewer counting permits than that: room now
      if (index < 1) return stop(soon, 'window'); // this claim's own permits fill the window
      const end = w.ends[index - w.lo];
      if (end === null || end === undefined) {
        unknown = true;
        continue;
      }
      // Times come back truncated to the millisecond: +1 so the permit has surely left by then.
      at = Math.max(at, end.getTime() + Math.round(w.seconds * 1000) + 1);
    }
    if (unknown) return stop(soon, 'window');
    if (at > now + horizonMs) return stop(at, 'window');
    starts.push(new Date(at));
  }
  return { starts, retryAt: null, reason: 'ok' };
}
