import { describe, expect, it } from 'vitest';
import { channelUserRange } from './job-dates.ts';

const now = new Date('2026-05-04T10:15:00.000Z');

describe('channel-user ranges as Kore.ai is sent them', () => {
  it('datetime (default): days become whole-day bounds, timestamps are sent in UTC', () => {
    expect(channelUserRange({ startDate: '2026-05-01', endDate: '2026-05-04' }, 'datetime', now)).toEqual({ startDate: '2026-05-01T00:00:00.000Z', endDate: '2026-05-04T23:59:59.999Z' });
    expect(channelUserRange({ startDate: '2026-05-01T10:00:00+02:00', endDate: '2026-05-04T23:59:59.999Z' }, 'datetime', now)).toEqual({
      startDate: '2026-05-01T08:00:00.000Z',
      endDate: '2026-05-04T23:59:59.999Z',
    });
  });
  it('date: YYYY-MM-DD, timestamps cut to their UTC day', () => {
    expect(channelUserRange({ startDate: '2026-05-01T10:00:00Z', endDate: '2026-05-04T23:59:59.999Z' }, 'date', now)).toEqual({ startDate: '2026-05-01', endDate: '2026-05-04' });
  });
  it('no end means now; no start is left to Kore.ai (the user or bot creation date)', () => {
    expect(channelUserRange({}, 'datetime', now)).toEqual({ endDate: '2026-05-04T10:15:00.000Z' });
    expect(channelUserRange({}, 'date', now)).toEqual({ endDate: '2026-05-04' });
  });
});
