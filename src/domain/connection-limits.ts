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
