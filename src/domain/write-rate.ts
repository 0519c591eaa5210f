// The per-key write limit (apiKeys[].rateLimit.perMinute) as a GCRA — the "virtual scheduling" form of a
// token bucket. One timestamp per key, the theoretical arrival time (TAT), is all the state: a write is
// allowed when TAT, moved up to now, is no more than a minute minus one interval ahead of now; it then
// advances TAT by one interval. So a key may burst `perMinute` writes at once, and sustain `perMinute` a
// minute. The database applies the rule atomically for every replica (db/api-key-rate.ts); this file
// holds the arithmetic both sides agree on.

export const WRITE_RATE_WINDOW_MS = 60_000;

/** Writes a minute when a key does not say (apiKeys[].rateLimit). */
export const DEFAULT_WRITES_PER_MINUTE = 600;

/** Time one write takes out of the bucket. */
export function emissionIntervalMs(perMinute: number): number {
  return WRITE_RATE_WINDOW_MS / perMinute;
}

/**
 * Whole seconds until the next write would be allowed, for a refused write (Retry-After), given the
 * key's stored TAT: allowed again once TAT + interval - window <= now. At least 1.
 */
export function retryAfterSeconds(tat: Date, now: Date, perMinute: number): number {
  const waitMs = tat.getTime() + emissionIntervalMs(perMinute) - WRITE_RATE_WINDOW_MS - now.getTime();
  return Math.max(1, Math.ceil(waitMs / 1000));
}
