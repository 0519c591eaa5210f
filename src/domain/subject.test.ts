import { describe, expect, it } from 'vitest';
import { hashSubject, identityHash, identityKinds, normaliseEmail, normalisePhone } from './subject.ts';

describe('subject identities', () => {
  it('normalises e-mail and phone before hashing, so spellings of one identity match', () => {
    expect(normaliseEmail('  Alice@Example.COM ')).toBe('alice@example.com');
    expect(normalisePhone('+44 (20) 7946-0958')).toBe('+442079460958');
    expect(normalisePhone('020 7946 0958')).toBe('02079460958');
    const a = hashSubject({ email: 'Alice@Example.com', phone: '+44 20 7946 0958' }, 'k');
    const b = hashSubject({ email: 'alice@example.com ', phone: '+44-20-7946-0958' }, 'k');
    expect(a).toEqual(b);
  });
  it('is keyed: another key gives other hashes, and no hash contains the identity', () => {
    const one = hashSubject({ email: 'alice@example.com', externalIds: { crm: 'C-1' } }, 'key-1');
    const two = hashSubject({ email: 'alice@example.com', externalIds: { crm: 'C-1' } }, 'key-2');
    expect(one.email).toMatch(/^[0-9a-f]{64}$/);
    expect(one.email).not.toBe(two.email);
    expect(one.externalIds?.crm).not.toBe(two.externalIds?.crm);
    expect(JSON.stringify(one)).not.toContain('alice');
  });
  it('separates kinds: the same string as userId and as name hashes differently', () => {
    expect(identityHash('k', 'userId', 'x')).not.toBe(identityHash('k', 'name', 'x'));
  });
  it('lists which kinds were given', () => {
    expect(identityKinds({ phone: '1', externalIds: { a: 'b' } })).toEqual(['phone', 'externalIds']);
  });
});
