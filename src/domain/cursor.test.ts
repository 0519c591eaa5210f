import { describe, expect, it } from 'vitest';
import { decodeRequestCursor, decodeTaskCursor, encodeRequestCursor, encodeTaskCursor } from './cursor.ts';

describe('cursors', () => {
  it('round-trip', () => {
    const c = { createdAt: new Date('2026-03-10T12:00:00.123Z'), id: '0b3f0a7e-2f4c-4d35-9a53-0d1f1f2a3b4c' };
    expect(decodeRequestCursor(encodeRequestCursor(c))).toEqual(c);
    expect(decodeTaskCursor(encodeTaskCursor(42))).toBe(42);
  });
  it('decode anything else to null instead of throwing', () => {
    for (const bad of ['', 'not a cursor!', 'e30', Buffer.from('{"t":"x","i":"y"}').toString('base64url'), encodeTaskCursor(1), 'a'.repeat(600)]) {
      expect(decodeRequestCursor(bad)).toBeNull();
    }
    expect(decodeTaskCursor(Buffer.from('{"s":-1}').toString('base64url'))).toBeNull();
    expect(decodeTaskCursor(Buffer.from('{"s":1.5}').toString('base64url'))).toBeNull();
  });
});
