import { describe, expect, it } from 'vitest';
import { nextWait, readWaitState } from './bounded-wait.ts';

const policy = { initialMs: 5 * 60_000, maxIntervalMs: 3_600_000, maxTotalMs: 48 * 3_600_000 };
const t0 = new Date('2026-03-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('bounded waits', () => {
  it('back off from 5 min to 1 h and count every check', () => {
    let state;
    const delays: number[] = [];
    let now = t0;
    for (let i = 0; i < 6; i += 1) {
      const step = nextWait(state, now, policy);
      if (step.kind !== 'wait') throw new Error('expired too early');
      delays.push(step.afterMs / 60_000);
      state = step.state;
      now = at(now.getTime() - t0.getTime() + step.afterMs);
    }
    expect(delays).toEqual([5, 10, 20, 40, 60, 60]);
    expect(state).toEqual({ since: t0.toISOString(), checks: 6 });
  });

  it('end at the bound, with the last check landing on it', () => {
    const waiting = { since: t0.toISOString(), checks: 40 };
    const last = nextWait(waiting, at(48 * 3_600_000 - 10 * 60_000), policy);
    expect(last).toMatchObject({ kind: 'wait', afterMs: 10 * 60_000 });
    expect(nextWait(waiting, at(48 * 3_600_000), policy)).toMatchObject({ kind: 'expired', waitedMs: 48 * 3_600_000, state: { checks: 41 } });
  });

  it('a malformed stored state starts a new wait rather than failing', () => {
    expect(readWaitState({ since: 'yesterday', checks: 2 })).toBeUndefined();
    expect(readWaitState({ since: t0.toISOString(), checks: 2 })).toEqual({ since: t0.toISOString(), checks: 2 });
  });
});
