/** The simulators read time only through this, so tests can move it forward at will. */
export type Clock = { now(): number };

export const systemClock: Clock = { now: () => Date.now() };

export type ManualClock = Clock & { advance(ms: number): void; set(epochMs: number): void };

export function createManualClock(startEpochMs: number = Date.parse('2026-05-04T12:00:00.000Z')): ManualClock {
  let current = startEpochMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (epochMs) => {
      current = epochMs;
    },
  };
}

/** A seeded moment given either absolutely (`at`, ISO) or relative to the seeding time (`afterMs`). */
export type TimeSpec = { at?: string | undefined; afterMs?: number | undefined };

export function resolveTimeSpec(spec: TimeSpec, now: number): number {
  if (spec.at !== undefined) {
    const parsed = Date.parse(spec.at);
    if (Number.isNaN(parsed)) throw new Error(`not a timestamp: ${spec.at}`);
    return parsed;
  }
  return now + (spec.afterMs ?? 0);
}

export const iso = (epochMs: number): string => new Date(epochMs).toISOString();
