import { describe, expect, it } from 'vitest';
import { reserveAheadMs } from './pacing.ts';

describe('reserveAheadMs', () => {
  it('reserves a few claim latencies ahead, within bounds', () => {
    expect(reserveAheadMs(2)).toBe(50);
    expect(reserveAheadMs(40)).toBe(160);
    expect(reserveAheadMs(5000)).toBe(1000);
  });
});
