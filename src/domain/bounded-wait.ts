// Waits for the vendor — a live call, media still being generated, a job not yet run — are bounded and
// counted (docs/DESIGN.md, "Driving the work"): each wait is remembered on the task (in its upstream
// reference) with when it started and how many checks it took, the next check backs off, and past its
// bound the wait ends so the task can fail with kind `still_in_progress` instead of waiting for ever.
// Pure: the vendor's classifier decides what it waits for and stores the state it gets back.

/** What a task remembers about one wait (JSON-safe: stored in upstream_ref). */
export type WaitState = {
  /** ISO instant the wait began. */
  since: string;
  /** Checks made while waiting (each spent an upstream call). */
  checks: number;
};

export type WaitPolicy = {
  /** Delay before the first re-check. */
  initialMs: number;
  /** Longest delay between re-checks (the backoff doubles up to it). */
  maxIntervalMs: number;
  /** The wait ends this long after it began. */
  maxTotalMs: number;
};

export type WaitStep =
  | { kind: 'wait'; afterMs: number; state: WaitState }
  | { kind: 'expired'; state: WaitState; waitedMs: number };

/** Reads a wait state stored earlier; anything malformed reads as no wait (a new one begins). */
export function readWaitState(value: unknown): WaitState | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { since, checks } = value as { since?: unknown; checks?: unknown };
  if (typeof since !== 'string' || Number.isNaN(Date.parse(since)) || typeof checks !== 'number' || !Number.isInteger(checks) || checks < 0) return undefined;
  return { since, checks };
}

/**
 * One more check found the vendor still busy: when to check again, or that the wait is over. The delay
 * doubles from `initialMs` up to `maxIntervalMs`, and never reaches past the bound (a last check lands on it).
 */
export function nextWait(previous: WaitState | undefined, now: Date, policy: WaitPolicy): WaitStep {
  const since = previous?.since ?? now.toISOString();
  const checks = (previous?.checks ?? 0) + 1;
  const state: WaitState = { since, checks };
  const waitedMs = now.getTime() - Date.parse(since);
  const leftMs = policy.maxTotalMs - waitedMs;
  if (leftMs <= 0) return { kind: 'expired', state, waitedMs };
  const backoff = Math.min(policy.maxIntervalMs, policy.initialMs * 2 ** Math.min(checks - 1, 30));
  return { kind: 'wait', afterMs: Math.max(1, Math.min(backoff, leftMs)), state };
}
