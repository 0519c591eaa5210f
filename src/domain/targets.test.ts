import { describe, expect, it } from 'vitest';
import { checkTargetConnections, checkTargetDates, countPlannedTasks, expandTargets, parseTargetDate, type Target } from './targets.ts';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);

describe('expandTargets', () => {
  it('splits conversation ids into jobs of at most 100, in order', () => {
    const tasks = expandTargets([{ type: 'koreai.conversations', connection: 'k', conversationIds: ids('c', 250) }]);
    expect(tasks.map((t) => (t.locator.conversationIds as string[]).length)).toEqual([100, 100, 50]);
    expect(tasks.map((t) => t.seq)).toEqual([1, 2, 3]);
    expect((tasks[2]?.locator.conversationIds as string[])[0]).toBe('c-201');
    expect(tasks.every((t) => t.type === 'koreai.conversations' && t.targetIndex === 0 && t.connection === 'k')).toBe(true);
  });

  it('makes one task per recording and per call, one per channel user, numbering across targets', () => {
    const targets: Target[] = [
      { type: 'koreai.channel_user', connection: 'k', cId: 'u-1', startDate: '2026-01-01' },
      { type: 'koreai.recordings', connection: 'k', sessionIds: ['s-1', 's-2'] },
      { type: 'cartesia.calls', connection: 'c', callIds: ['call-1'] },
    ];
    const tasks = expandTargets(targets);
    expect(tasks.map((t) => [t.seq, t.targetIndex, t.type, t.locator])).toEqual([
      [1, 0, 'koreai.channel_user', { cId: 'u-1', startDate: '2026-01-01' }],
      [2, 1, 'koreai.recording', { sessionId: 's-1' }],
      [3, 1, 'koreai.recording', { sessionId: 's-2' }],
      [4, 2, 'cartesia.call', { callId: 'call-1' }],
    ]);
    expect(countPlannedTasks(targets)).toBe(4);
  });

  it('counts planned tasks without building them', () => {
    expect(countPlannedTasks([{ type: 'koreai.conversations', connection: 'k', conversationIds: ids('c', 201) }])).toBe(3);
  });
});

describe('checkTargetConnections', () => {
  const connections = [
    { name: 'kore', type: 'koreai' as const },
    { name: 'cartesia', type: 'cartesia' as const },
  ];
  it('accepts connections of the right type', () => {
    expect(checkTargetConnections([{ type: 'cartesia.calls', connection: 'cartesia', callIds: ['a'] }], connections)).toEqual([]);
  });
  it('names the target index of an unknown or mistyped connection', () => {
    const issues = checkTargetConnections(
      [
        { type: 'koreai.recordings', connection: 'kore', sessionIds: ['s'] },
        { type: 'koreai.recordings', connection: 'nope', sessionIds: ['s'] },
        { type: 'cartesia.calls', connection: 'kore', callIds: ['c'] },
      ],
      connections,
    );
    expect(issues.map((i) => i.path)).toEqual(['body.targets.1.connection', 'body.targets.2.connection']);
    expect(issues[0]?.message).toContain('targets[1]');
    expect(issues[1]?.message).toContain('needs a cartesia connection');
  });
});

describe('channel-user dates', () => {
  const now = new Date('2026-03-10T12:00:00Z');
  const target = (startDate?: string, endDate?: string): Target => ({ type: 'koreai.channel_user', connection: 'k', cId: 'u', startDate, endDate });

  it('parses dates and date-times, and refuses impossible dates', () => {
    expect(parseTargetDate('2026-02-28')?.toISOString()).toBe('2026-02-28T00:00:00.000Z');
    expect(parseTargetDate('2026-02-30')).toBeNull();
    expect(parseTargetDate('2026-02-28T10:00:00+01:00')?.toISOString()).toBe('2026-02-28T09:00:00.000Z');
  });
  it('accepts a range ending today or in the past', () => {
    expect(checkTargetDates([target('2026-01-01', '2026-03-10')], now)).toEqual([]);
    expect(checkTargetDates([target(undefined, '2026-03-10T11:59:59Z')], now)).toEqual([]);
  });
  it('accepts an end of today in either form — the docs’ own sample, today’s T23:59:59.999Z, included', () => {
    expect(checkTargetDates([target('2026-03-10', '2026-03-10T23:59:59.999Z')], now)).toEqual([]);
    expect(checkTargetDates([target('2026-03-10T08:00:00Z', '2026-03-10')], now)).toEqual([]);
  });
  it('refuses an end before the start and an end in the future', () => {
    expect(checkTargetDates([target('2026-02-01', '2026-01-01')], now).map((i) => i.message)).toEqual(['endDate is before startDate']);
    expect(checkTargetDates([target(undefined, '2026-03-11')], now).map((i) => i.path)).toEqual(['body.targets.0.endDate']);
    expect(checkTargetDates([target(undefined, '2026-03-11T00:00:00.000Z')], now).map((i) => i.message)).toEqual(['endDate is after today (UTC): Kore.ai refuses future dates']);
    expect(checkTargetDates([target('2026-03-10T08:00:00Z', '2026-03-10T07:00:00Z')], now).map((i) => i.message)).toEqual(['endDate is before startDate']);
  });
});
