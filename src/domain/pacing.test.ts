import { describe, expect, it } from 'vitest';
import { OPEN_PERMIT_RECHECK_MS, planPermits, type WindowUse, type PacingState } from './pacing.ts';

const dbNow = new Date('2026-03-01T12:00:00.000Z');
const at = (ms: number) => new Date(dbNow.getTime() + ms);
const limits = { windows: [{ max: 5, seconds: 2 }], concurrency: 4 };
/** A window of `max` per `seconds` whose counting permits ended at these offsets (ms from now, newest first; null = unfinished). */
const window = (max: number, seconds: number, ends: Array<number | null>, wanted = 10): WindowUse => {
  const lo = Math.max(1, max - wanted + 1);
  return { max, seconds, used: ends.length, lo, ends: ends.slice(lo - 1, max).map((e) => (e === null ? null : at(e))) };
};
const state = (over: Partial<PacingState> = {}): PacingState => ({ dbNow, pausedUntil: null, inFlight: 0, windows: [window(5, 2, [])], ...over });

describe('planPermits', () => {
  it('grants up to the concurrency, all starting now, when the windows have room', () => {
    expect(planPermits(state(), limits, 10)).toEqual({ starts: [at(0), at(0), at(0), at(0)], retryAt: at(OPEN_PERMIT_RECHECK_MS), reason: 'concurrency' });
    expect(planPermits(state({ windows: [window(5, 2, [-100, -200, -300])] }), { ...limits, concurrency: undefined }, 10).starts).toHaveLength(2);
  });

  it('when a window is full, the next slot frees when the max-th newest call leaves it (+1 ms: truncated times)', () => {
    const full = state({ windows: [window(5, 2, [-100, -200, -300, -400, -1700])] });
    expect(planPermits(full, limits, 3)).toEqual({ starts: [], retryAt: at(301), reason: 'window' });
  });

  it('reserves the slots that free within the horizon, each starting when its slot frees', () => {
    const full = state({ windows: [window(5, 2, [-100, -200, -1800, -1900, -1950])] });
    // The 5th, 4th, 3rd newest leave at +51, +101, +201 ms; the 2nd at +1801.
    expect(planPermits(full, { windows: limits.windows }, 4, 250)).toEqual({ starts: [at(51), at(101), at(201)], retryAt: at(1801), reason: 'window' });
  });

  it('the latest of several windows decides each start', () => {
    const two = state({ windows: [window(5, 2, [-100, -200, -300, -400, -1900]), window(2, 10, [-5000, -9990])] });
    expect(planPermits(two, { windows: [{ max: 5, seconds: 2 }, { max: 2, seconds: 10 }] }, 2, 10_000)).toEqual({
      starts: [at(101), at(5001)],
      retryAt: null,
      reason: 'ok',
    });
  });

  it('an unfinished call blocking the slot, or full concurrency, means "look again soon"', () => {
    const open = state({ windows: [window(5, 2, [null, -200, -300, -400, null])] });
    expect(planPermits(open, limits, 2, 1000)).toEqual({ starts: [], retryAt: at(OPEN_PERMIT_RECHECK_MS), reason: 'window' });
    expect(planPermits(state({ inFlight: 4 }), limits, 5)).toEqual({ starts: [], retryAt: at(OPEN_PERMIT_RECHECK_MS), reason: 'concurrency' });
  });

  it('a paused connection grants nothing until the pause ends', () => {
    expect(planPermits(state({ pausedUntil: at(1_800_000) }), limits, 5)).toEqual({ starts: [], retryAt: at(1_800_000), reason: 'paused' });
  });
});
