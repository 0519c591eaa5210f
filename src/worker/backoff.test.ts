import { describe, expect, it } from 'vitest';
import { backoffCeilingMs, backoffDelayMs, retryDelayMs } from './backoff.ts';

const s = { baseMs: 1000, capMs: 60_000 };

describe('backoff', () => {
  it('doubles the ceiling per attempt up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffCeilingMs(n, s))).toEqual([2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('draws uniformly between the base and the ceiling (full jitter above the floor)', () => {
    expect(backoffDelayMs(3, s, () => 0)).toBe(1000);
    expect(backoffDelayMs(3, s, () => 0.5)).toBe(4500);
    expect(backoffDelayMs(3, s, () => 0.999999)).toBe(8000);
    for (let i = 0; i < 1000; i += 1) {
      const d = backoffDelayMs(10, s);
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(60_000);
    }
  });

  it('never retries earlier than Retry-After, even beyond the cap', () => {
    expect(retryDelayMs(1, s, 30_000, () => 0.5)).toBe(30_000);
    expect(retryDelayMs(1, s, 120_000, () => 0.5)).toBe(120_000);
    expect(retryDelayMs(5, s, 10, () => 0)).toBe(1000);
    expect(retryDelayMs(2, s, undefined, () => 1 - Number.EPSILON)).toBe(4000);
  });

  it('keeps a cap below the base sane', () => {
    expect(backoffDelayMs(5, { baseMs: 500, capMs: 100 }, () => 0.7)).toBe(500);
  });
});
