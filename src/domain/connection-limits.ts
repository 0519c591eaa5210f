// A connection's pacing limits, as configured (config.ts validates them) and as the pacing rule reads them.

export type LimitWindow = {
  max: number;
  seconds: number;
};

export type ConnectionLimits = {
  /** Rolling windows: at most `max` calls in any `seconds`-long span, across all replicas. */
  windows: LimitWindow[];
  /** At most this many calls in flight at once, across all replicas. */
  concurrency?: number | undefined;
};

/**
 * The windows the pacing rule enforces: the configured ones less a `reserve` share (0 ≤ reserve < 1)
 * kept free for the upstream account's other clients — a Kore.ai bot's budget is shared by everyone
 * calling it, and a breach blocks them all. At least 1 call per window remains.
 */
export function withReserve(limits: ConnectionLimits & { reserve?: number | undefined }): ConnectionLimits {
  const reserve = limits.reserve ?? 0;
  const windows = reserve <= 0 ? limits.windows : limits.windows.map((w) => ({ max: Math.max(1, Math.floor(w.max * (1 - reserve) + 1e-9)), seconds: w.seconds }));
  return { windows, concurrency: limits.concurrency };
}
