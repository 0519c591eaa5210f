import { describe, expect, it } from 'vitest';
import { readVendorNumber, toE164 } from './phone-number.ts';

describe('toE164', () => {
  it('reads international numbers in any punctuation, 00 as +', () => {
    for (const raw of ['+14155550123', '+1 415 555 0123', '+1-415-555-0123', '+1 (415) 555.0123', '001 415 555 0123']) expect(toE164(raw)).toBe('+14155550123');
    expect(toE164('+44 20 7946 0321')).toBe('+442079460321');
  });

  it('refuses national numbers, a leading zero after +, too short or too long', () => {
    for (const raw of ['(415) 555-0123', '4155550123', '+0415555012', '+1234567', '+1234567890123456', '+1 415 555 O123', '']) expect(toE164(raw)).toBeNull();
  });
});

describe('readVendorNumber', () => {
  it('strips tel: and sip: URIs to their number', () => {
    expect(readVendorNumber('tel:+14155550123')).toEqual({ kind: 'e164', value: '+14155550123' });
    expect(readVendorNumber('sip:+14155550123@sip.example.com')).toEqual({ kind: 'e164', value: '+14155550123' });
    expect(readVendorNumber('sips:+14155550123;user=phone@pbx.example')).toEqual({ kind: 'e164', value: '+14155550123' });
  });

  it('tells a missing number from one it cannot read', () => {
    expect(readVendorNumber(undefined)).toEqual({ kind: 'absent' });
    expect(readVendorNumber(null)).toEqual({ kind: 'absent' });
    expect(readVendorNumber('  ')).toEqual({ kind: 'absent' });
    expect(readVendorNumber('(415) 555-0123')).toEqual({ kind: 'unreadable' });
    expect(readVendorNumber('sip:reception@pbx.example')).toEqual({ kind: 'unreadable' });
  });
});
