import { describe, expect, it } from 'vitest';
import { emissionIntervalMs, retryAfterSeconds } from './write-rate.ts';

describe('the write limit arithmetic', () => {
  it('spends 60 s / perMinute per write', () => {
    expect(emissionIntervalMs(600)).toBe(100);
    expect(emissionIntervalMs(6)).toBe(10_000);
  });

  it('says, for a refused write, the whole seconds until the bucket has room again (at least 1)', () => {
    const now = new Date('2026-03-10T12:00:00.000Z');
    // Six writes at `now` at 6 a minute: TAT is now + 60 s; room again once TAT + 10 s - 60 s <= t.
    expect(retryAfterSeconds(new Date(now.getTime() + 60_000), now, 6)).toBe(10);
    expect(retryAfterSeconds(new Date(now.getTime() + 60_000 - 9_500), now, 6)).toBe(1);
    // 600 a minute: 100 ms until the next write, answered as 1 s.
    expect(retryAfterSeconds(new Date(now.getTime() + 60_000), now, 600)).toBe(1);
  });
});
