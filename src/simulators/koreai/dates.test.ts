import { describe, expect, it } from 'vitest';
import { parseKoreaiDate } from './dates.ts';

describe('parseKoreaiDate', () => {
  it('reads YYYY-MM-DD as a whole inclusive day and ISO timestamps as given', () => {
    expect(parseKoreaiDate('2026-05-04', 'start')).toBe(Date.parse('2026-05-04T00:00:00.000Z'));
    expect(parseKoreaiDate('2026-05-04', 'end')).toBe(Date.parse('2026-05-04T23:59:59.999Z'));
    expect(parseKoreaiDate('2026-05-04T23:59:59.999Z', 'end')).toBe(Date.parse('2026-05-04T23:59:59.999Z'));
    expect(parseKoreaiDate('2026-05-04T10:00:00+02:00', 'start')).toBe(Date.parse('2026-05-04T08:00:00.000Z'));
  });

  it('refuses impossible days and other formats', () => {
    for (const bad of ['2026-02-30', '04/05/2026', '2026-5-4', 'yesterday', '', 20260504]) {
      expect(parseKoreaiDate(bad, 'start')).toBeNull();
    }
  });
});
