// Retry delays: exponential backoff with full jitter, floored at the base so a retry is never
// immediate, and never earlier than the upstream asked (Retry-After / retry-after-ms). Pure.

export type BackoffSettings = { baseMs: number; capMs: number };

/** The ceiling of the jitter range for the n-th failed attempt (n ≥ 1): base·2^n, at most cap. */
export function backoffCeilingMs(attempt: number, s: BackoffSettings): number {
  const exp = s.baseMs * 2 ** Math.min(Math.max(attempt, 1), 40);
  return Math.max(s.baseMs, Math.min(s.capMs, exp));
}

/** Uniform in [base, ceiling(attempt)]: full jitter above the floor. `random` returns [0, 1). */
export function backoffDelayMs(attempt: number, s: BackoffSettings, random: () => number = Math.random): number {
  const ceiling = backoffCeilingMs(attempt, s);
  const floor = Math.min(s.baseMs, ceiling);
  return Math.round(floor + random() * (ceiling - floor));
}

/** The delay before the next try: the jittered backoff, but never earlier than the upstream's Retry-After. */
export function retryDelayMs(attempt: number, s: BackoffSettings, retryAfterMs: number | undefined, random: () => number = Math.random): number {
  const jittered = backoffDelayMs(attempt, s, random);
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.ceil(retryAfterMs));
}
