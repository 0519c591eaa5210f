import { describe, expect, it } from 'vitest';
import type { KoreaiDiscoveryLocator } from '../../domain/discovery.ts';
import { currentWindow, initialKoreaiState, koreaiDiscoveryStep, readKoreaiState, type KoreaiDiscoveryState } from './session-discovery.ts';
import type { SessionsPage } from './sessions-page.ts';

const DAY = 86_400_000;
const from = Date.parse('2026-01-01T00:00:00.000Z');
const locator = (over: Partial<KoreaiDiscoveryLocator> = {}): KoreaiDiscoveryLocator => ({
  userId: 'jane@example.com',
  from: new Date(from).toISOString(),
  to: new Date(from + 15 * DAY).toISOString(),
  windowDays: 7,
  conversationsFromSessions: true,
  identities: { userId: 'h-user' },
  ...over,
});
const session = (id: string, atMs: number, userId = 'jane@example.com') => ({ sessionId: id, userId, startMs: atMs });
const page = (sessions: SessionsPage['sessions'], moreAvailable = false): SessionsPage => ({ sessions, moreAvailable, total: null });
const step = (l: KoreaiDiscoveryLocator, s: KoreaiDiscoveryState, p: SessionsPage) => koreaiDiscoveryStep('task-1', l, s, p);

describe('Kore.ai session discovery', () => {
  it('walks windows of 7 days from `from` to `to`, the last one shorter, and pages each to its end', () => {
    const l = locator();
    let s = initialKoreaiState(l);
    expect(s.windows).toBe(3);
    expect(currentWindow(s)).toEqual({ from, to: from + 7 * DAY });
    let r = step(l, s, page([session('a', from + DAY)], true));
    expect(r.outcome).toMatchObject({ kind: 'continue', phase: 'sessions', addTasks: [{ type: 'koreai.recording', key: 'koreai.recording:a' }] });
    expect(r.state).toMatchObject({ window: 0, skip: 1, pages: 1 });
    s = r.state;
    r = step(l, s, page([session('b', from + 2 * DAY)]));
    expect(r.state).toMatchObject({ window: 1, skip: 0, windowsSearched: 1 });
    expect(currentWindow(r.state)).toEqual({ from: from + 7 * DAY, to: from + 14 * DAY });
    r = step(l, r.state, page([]));
    expect(currentWindow(r.state)).toEqual({ from: from + 14 * DAY, to: from + 15 * DAY });
    r = step(l, r.state, page([session('c', from + 14.5 * DAY)]));
    // The end: one conversation job with every session, the discovery succeeded with what it counted.
    expect(r.outcome.kind).toBe('succeeded');
    expect(r.found).toEqual([
      { type: 'koreai.recording', locator: { sessionId: 'c' }, key: 'koreai.recording:c' },
      { type: 'koreai.conversations', locator: { conversationIds: ['a', 'b', 'c'] }, key: expect.stringMatching(/^koreai\.conversations:[0-9a-f]{64}$/) },
    ]);
    expect(r.outcome).toMatchObject({
      upstreamRef: { discovery: { done: true, windows: 3, windowsSearched: 3, pages: 4, sessionsSeen: 3, sessionsMatched: 3, found: { recordings: 3, conversationJobs: 1, channelUserJobs: 0 }, widestWindowMs: 7 * DAY } },
    });
    expect(JSON.stringify(r.outcome)).not.toContain('jane');
  });

  it('takes a session on a window boundary once (both windows list it)', () => {
    const l = locator();
    const boundary = from + 7 * DAY;
    let r = step(l, initialKoreaiState(l), page([session('early', from), session('edge', boundary)]));
    expect(r.state.fromPreviousWindow).toEqual(['edge']);
    r = step(l, r.state, page([session('edge', boundary), session('later', boundary + 1000)]));
    expect(r.found.map((f) => f.key)).toEqual(['koreai.recording:later']);
    expect(r.state).toMatchObject({ boundaryRepeats: 1, sessionsMatched: 3, sessionsSeen: 4 });
  });

  it('never takes another user’s session, whatever Kore.ai lists', () => {
    const l = locator({ to: new Date(from + 7 * DAY).toISOString() });
    const r = step(l, initialKoreaiState(l), page([session('mine', from + 1), session('theirs', from + 2, 'Jane@Example.com')]));
    expect(r.found.filter((f) => f.type === 'koreai.recording').map((f) => f.locator.sessionId)).toEqual(['mine']);
    expect(r.outcome).toMatchObject({ kind: 'succeeded', upstreamRef: { discovery: { sessionsOfOthers: 1, sessionsMatched: 1 } } });
  });

  it('forms conversation jobs of 100 when a window is read, the rest at the end; a cId adds its job over the range', () => {
    const l = locator({ cId: 'u-jane-0001', to: new Date(from + 14 * DAY).toISOString() });
    const many = Array.from({ length: 100 }, (_, i) => session(`s${String(i).padStart(3, '0')}`, from + i * 1000));
    let r = step(l, initialKoreaiState(l), page(many.slice(0, 60), true));
    expect(r.found.every((f) => f.type === 'koreai.recording')).toBe(true);
    r = step(l, r.state, page([...many.slice(60), session('s100', from + 200_000)]));
    const jobs = r.found.filter((f) => f.type === 'koreai.conversations');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.locator.conversationIds).toHaveLength(100);
    expect(r.state.pendingConversationIds).toEqual(['s100']);
    r = step(l, r.state, page([]));
    expect(r.found).toEqual([
      expect.objectContaining({ type: 'koreai.conversations', locator: { conversationIds: ['s100'] } }),
      { type: 'koreai.channel_user', locator: { cId: 'u-jane-0001', startDate: l.from, endDate: l.to }, key: 'koreai.channel_user:discovery:task-1' },
    ]);
  });

  it('without conversationsFromSessions, recordings only; nothing found is not_found', () => {
    const l = locator({ conversationsFromSessions: false, to: new Date(from + DAY).toISOString() });
    const found = step(l, initialKoreaiState(l), page([session('a', from + 1)]));
    expect(found.found.map((f) => f.type)).toEqual(['koreai.recording']);
    const none = step(l, initialKoreaiState(l), page([]));
    expect(none.outcome).toMatchObject({ kind: 'not_found', upstreamRef: { discovery: { done: true, sessionsMatched: 0, windowsSearched: 1 } } });
  });

  it('reads back its own cursor only', () => {
    const s = initialKoreaiState(locator());
    expect(readKoreaiState({ discovery: JSON.parse(JSON.stringify(s)) })).toEqual(s);
    expect(readKoreaiState({ discovery: { kind: 'cartesia.calls' } })).toBeNull();
    expect(readKoreaiState(null)).toBeNull();
  });
});
