import { describe, expect, it } from 'vitest';
import { hashPersonLocators, holdsPersonLocator, isKeyedHash, PERSON_LOCATOR_FIELDS } from './person-locators.ts';
import { identityHash } from './subject.ts';

const KEY = 'subject-hash-key';

describe('person-level locators', () => {
  it('replace a channel user id by its keyed hash, keep dates and record ids, and stay hashed when hashed again', () => {
    const locator = { cId: ' jane.doe@example.org', startDate: '2026-01-01' };
    const hashed = hashPersonLocators('koreai.channel_user', locator, KEY);
    expect(hashed).toEqual({ cId: { keyedHash: identityHash(KEY, 'cId', 'jane.doe@example.org') }, startDate: '2026-01-01' });
    expect(hashPersonLocators('koreai.channel_user', hashed, KEY)).toEqual(hashed);
    expect(JSON.stringify(hashed)).not.toContain('jane');
    expect(holdsPersonLocator('koreai.channel_user', locator)).toBe(true);
    expect(holdsPersonLocator('koreai.channel_user', hashed)).toBe(false);
  });

  it('leave record-level ids alone: conversations, sessions, calls', () => {
    expect(hashPersonLocators('koreai.conversations', { conversationIds: ['c-1'] }, KEY)).toEqual({ conversationIds: ['c-1'] });
    expect(hashPersonLocators('koreai.recording', { sessionId: 's-1' }, KEY)).toEqual({ sessionId: 's-1' });
    expect(hashPersonLocators('cartesia.call', { callId: 'ac_1' }, KEY)).toEqual({ callId: 'ac_1' });
    expect(holdsPersonLocator('cartesia.call', { callId: 'ac_1' })).toBe(false);
  });

  it('hash a callback URL, token and all', () => {
    const hashed = hashPersonLocators('callback', { url: 'https://portal.internal/hook?token=s3cret' }, KEY);
    expect(isKeyedHash(hashed.url)).toBe(true);
    expect(JSON.stringify(hashed)).not.toContain('s3cret');
  });

  it('walk arrays and objects, for locators that carry several values', () => {
    // As a discovery target with phone numbers and metadata values would declare itself.
    const table = PERSON_LOCATOR_FIELDS as Record<string, unknown>;
    table['test.phones'] = [{ field: 'phones', kind: 'phone', normalise: (v: string) => v.replace(/\s/g, '') }, { field: 'metadata', kind: 'metadata', normalise: (v: string) => v }];
    try {
      const hashed = hashPersonLocators('test.phones' as never, { phones: ['+44 20 7946 0958'], metadata: { crm: 'C-1' }, agentIds: ['ag_1'] }, KEY);
      expect(hashed).toEqual({
        phones: [{ keyedHash: identityHash(KEY, 'phone', '+442079460958') }],
        metadata: { crm: { keyedHash: identityHash(KEY, 'metadata', 'C-1') } },
        agentIds: ['ag_1'],
      });
    } finally {
      delete table['test.phones'];
    }
  });
});
