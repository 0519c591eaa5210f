// Phone numbers as discovery compares them: E.164 (`+` and 8–15 digits, no leading zero after the `+`).
// Callers give E.164 (spaces, dashes, dots and brackets allowed); vendors write numbers in many ways —
// `+1 415 555 0123`, `+1-415-555-0123`, `tel:+14155550123`, `sip:+14155550123@host`, `0044…`. A number
// written without its country code (`(415) 555-0123`) cannot be read as E.164 without guessing a country,
// so it matches nothing and is counted as unreadable: an auditor sees how many such numbers were skipped.

const E164 = /^\+[1-9]\d{7,14}$/;
const SEPARATORS = /[\s().\-\u00a0]/g;

/** A number as a caller writes it, in E.164; null when it is not an international number. */
export function toE164(raw: string): string | null {
  let s = raw.trim().replace(SEPARATORS, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  return E164.test(s) ? s : null;
}

export type VendorNumber = { kind: 'e164'; value: string } | { kind: 'unreadable' } | { kind: 'absent' };

/**
 * A number as a vendor wrote it (`telephony_params.from`/`to`): URIs (`tel:`, `sip:`, `sips:`) lose
 * their scheme, host and parameters; the rest must be E.164 in any punctuation. Empty or missing is
 * `absent` (a websocket call has none); anything else that is not E.164 is `unreadable`.
 */
export function readVendorNumber(value: unknown): VendorNumber {
  if (typeof value !== 'string' || value.trim() === '') return { kind: 'absent' };
  let s = value.trim();
  const uri = /^(?:tel|sips?):(.*)$/i.exec(s);
  if (uri !== null) s = (uri[1] ?? '').split('@')[0]!.split(';')[0]!;
  const e164 = toE164(s);
  return e164 === null ? { kind: 'unreadable' } : { kind: 'e164', value: e164 };
}
