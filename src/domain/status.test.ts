import { describe, expect, it } from 'vitest';
import { deriveRequestStatus } from './status.ts';

describe('deriveRequestStatus', () => {
  const status = (counts: Record<string, number>, cancelled = false) => deriveRequestStatus({ counts, anyAttempted: true, cancelled });
  it('is completed_with_exceptions when every task is final, none failed, some skipped', () => {
    expect(status({ succeeded: 2, skipped: 1 })).toBe('completed_with_exceptions');
    expect(status({ skipped: 1 })).toBe('completed_with_exceptions');
    expect(status({ succeeded: 2, not_found: 1 })).toBe('completed');
  });
  it('keeps failed and cancelled first, and a skipped task next to an open one is still in progress', () => {
    expect(status({ failed: 1, skipped: 1 })).toBe('failed');
    expect(status({ cancelled: 1, skipped: 1 })).toBe('failed');
    expect(status({ skipped: 1 }, true)).toBe('cancelled');
    expect(status({ skipped: 1, waiting: 1 })).toBe('in_progress');
  });
});
