import { describe, expect, it } from 'vitest';
import type { CartesiaDiscoveryLocator } from '../../domain/discovery.ts';
import type { UpstreamResponse } from '../http.ts';
import { cartesiaAgentExistsStep, cartesiaListStep, initialCartesiaState, matchCall } from './call-discovery.ts';
import { classifyAgentAnswer, classifyCallsAnswer, type ListedCall } from './calls-page.ts';

const since = Date.parse('2026-01-01T00:00:00.000Z');
const locator = (over: Partial<CartesiaDiscoveryLocator> = {}): CartesiaDiscoveryLocator => ({
  agentIds: ['agent_a', 'agent_b'],
  phones: ['+14155550123'],
  since: new Date(since).toISOString(),
  until: '2026-03-01T00:00:00.000Z',
  identities: { phones: ['h-phone'] },
  ...over,
});
const call = (id: string, startMs: number | null, from: unknown = '+18005550100', to: unknown = '+18005550101', metadata: Record<string, unknown> | null = {}): ListedCall => ({ id, startMs, from, to, metadata });
const now = new Date('2026-03-01T12:00:00Z');
const res = (status: number, json: unknown, text = json === undefined ? '' : JSON.stringify(json)): UpstreamResponse => ({ status, headers: {}, json, text, truncated: false, latencyMs: 3 });

describe('matchCall', () => {
  const phones = new Set(['+14155550123']);
  it('matches the number in from or to, in any way it is written; never a number one digit away', () => {
    for (const written of ['+14155550123', '+1 415 555 0123', '+1-415-555-0123', 'tel:+14155550123', 'sip:+14155550123@sip.example.com']) {
      expect(matchCall(call('x', 1, written), phones, undefined).by).toBe('phone');
      expect(matchCall(call('x', 1, '+18005550100', written), phones, undefined).by).toBe('phone');
    }
    expect(matchCall(call('x', 1, '+14155550124'), phones, undefined).by).toBeNull();
    expect(matchCall(call('x', 1, '(415) 555-0123'), phones, undefined)).toEqual({ by: null, unreadable: 1 });
    expect(matchCall(call('x', 1, null, undefined), phones, undefined)).toEqual({ by: null, unreadable: 0 });
  });

  it('matches metadata only when every key given has that value', () => {
    const none = new Set<string>();
    expect(matchCall(call('x', 1, null, null, { customer_id: 123, plan: 'pro' }), none, { customer_id: '123' }).by).toBe('metadata');
    expect(matchCall(call('x', 1, null, null, { customer_id: 123 }), none, { customer_id: '123', plan: 'pro' }).by).toBeNull();
    expect(matchCall(call('x', 1, null, null, null), none, { customer_id: '123' }).by).toBeNull();
    expect(matchCall(call('x', 1, null, null, { customer_id: { id: 123 } }), none, { customer_id: '123' }).by).toBeNull();
  });
});

describe('Cartesia call discovery', () => {
  it('pages each agent newest first until a call before `since`, then the next agent; succeeded with the counts', () => {
    const l = locator();
    let r = cartesiaListStep(l, initialCartesiaState(l), { calls: [call('c1', since + 10, '+14155550123'), call('c2', since + 5)], nextPage: 'c2' });
    expect(r.outcome).toMatchObject({ kind: 'continue', phase: 'calls', addTasks: [{ type: 'cartesia.call', key: 'cartesia.call:c1' }] });
    expect(r.state).toMatchObject({ agent: 0, startingAfter: 'c2' });
    r = cartesiaListStep(l, r.state, { calls: [call('c3', since + 1, null, '+1 415 555 0123'), call('c4', since - 1, '+14155550123')], nextPage: 'c4' });
    // c4 started before `since`: not taken, and agent_a is done.
    expect(r.found.map((f) => f.locator.callId)).toEqual(['c3']);
    expect(r.state).toMatchObject({ agent: 1, startingAfter: null, agents: [{ agentId: 'agent_a', pages: 2, ended: 'since', existence: 'listed', callsMatched: 2 }, { agentId: 'agent_b' }] });
    r = cartesiaListStep(l, r.state, { calls: [call('b1', since + 3)], nextPage: null });
    expect(r.outcome).toMatchObject({ kind: 'succeeded', upstreamRef: { discovery: { done: true, pages: 3, callsSeen: 5, callsMatched: 2, matchedByPhone: 2, found: { calls: 2 } } } });
    expect(JSON.stringify(r.outcome)).not.toContain('4155550123');
  });

  it('an agent whose first page is empty is looked up before it counts as an agent without calls', () => {
    const l = locator({ agentIds: ['agent_empty'] });
    const r = cartesiaListStep(l, initialCartesiaState(l), { calls: [], nextPage: null });
    expect(r.outcome).toMatchObject({ kind: 'continue', phase: 'agent' });
    expect(r.state.lookup).toBe(true);
    const done = cartesiaAgentExistsStep(r.state);
    expect(done.outcome).toMatchObject({ kind: 'not_found', upstreamRef: { discovery: { lookups: 1, agents: [{ agentId: 'agent_empty', existence: 'lookup' }] } } });
  });
});

describe('Cartesia discovery answers', () => {
  it('reads a page in Cartesia’s shape; an HTML page or a framework 404 is unrecognised, never an empty list', () => {
    expect(classifyCallsAnswer(res(200, { data: [{ id: 'c1', start_time: '2026-02-01T00:00:00Z', telephony_params: { from: '+1' } }], next_page: null }), now, 'a', 100)).toMatchObject({
      kind: 'page',
      page: { nextPage: null, calls: [{ id: 'c1', from: '+1' }] },
    });
    for (const answer of [res(200, undefined, '<html>Sign in</html>'), res(404, { detail: 'Not Found' }), res(200, { data: [{}] }), res(200, { items: [] })]) {
      expect(classifyCallsAnswer(answer, now, 'a', 100)).toMatchObject({ kind: 'outcome', outcome: { kind: 'retry', error: { kind: 'unrecognised_answer' } } });
    }
  });

  it("Cartesia's own 404 not_found for an agent fails the discovery with the vendor's answer", () => {
    const notFound = res(404, { error_code: 'not_found', title: 'Not found', message: 'Agent not found.', request_id: 'req_1' });
    expect(classifyCallsAnswer(notFound, now, 'agent_typo', 100)).toEqual({
      kind: 'outcome',
      outcome: { kind: 'failed', error: { kind: 'http', status: 404, code: 'not_found', message: 'agent agent_typo: Agent not found.', requestId: 'req_1' } },
    });
    expect(classifyAgentAnswer(notFound, now, 'agent_typo')).toMatchObject({ kind: 'outcome', outcome: { kind: 'failed', error: { code: 'not_found' } } });
    expect(classifyAgentAnswer(res(200, { id: 'agent_x' }), now, 'agent_x')).toEqual({ kind: 'exists' });
    expect(classifyAgentAnswer(res(200, { id: 'other' }), now, 'agent_x')).toMatchObject({ kind: 'outcome', outcome: { kind: 'retry' } });
    expect(classifyCallsAnswer(res(429, { error_code: 'concurrency_limited', title: 'x', message: 'x', request_id: 'r' }), now, 'a', 100)).toMatchObject({ kind: 'outcome', outcome: { kind: 'retry' } });
  });
});
