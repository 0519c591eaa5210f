// Discovery under the vendors' awkward readings (src/simulators/README.md): Kore.ai's inclusive or
// exclusive dateTo with sessions on window boundaries, pages smaller than asked, sessions hidden once their
// conversation is deleted, rate limits answered 200; Cartesia's unknown agents (an empty list or a 404),
// an agent without calls, a lookup route that is missing, a proxy's HTML page, metadata and `since`.
// Exactly the person's data is found, and an answer the gateway does not recognise is never "nothing found".
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import type { Worker } from '../../src/worker/worker.ts';
import { BOT, startTestWorker, tasksOf, waitAllFinal } from '../engine/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, type TestApp } from '../http/harness.ts';
import { createCartesiaSimulator, createKoreaiSimulator, type CartesiaSimulator, type KoreaiSimulator } from '../../src/simulators/index.ts';
import { CARTESIA_KEY } from '../engine/helpers.ts';
import { daysAgoDate, submit, worldConfig, worldConfigFile } from './helpers.ts';

const DAY = 86_400_000;
let database: TestDatabase;
let kore: KoreaiSimulator;
let cartesia: CartesiaSimulator;
let t: TestApp;
let worker: Worker;

beforeAll(async () => {
  database = await createTestDatabase();
  kore = createKoreaiSimulator({ bots: [BOT], settings: { jobDelayMs: 100 }, rateLimits: { perMinute: { max: 10_000, windowMs: 60_000 }, perHour: { max: 100_000, windowMs: 3_600_000 } } });
  cartesia = createCartesiaSimulator({ apiKey: CARTESIA_KEY });
  const urls = { koreUrl: await kore.listen(), cartesiaUrl: await cartesia.listen() };
  // A 1 s pacing window, so a rate-limited answer pauses the connection for a second, not a minute.
  const raw = worldConfigFile(urls, { maxAttempts: 5 }, { kore: { limits: { windows: [{ max: 1000, seconds: 1 }], concurrency: 4 } }, cartesia: { discovery: { agentIds: ['agent_a'] } } });
  const config = worldConfig(raw);
  t = await buildTestApp(database, { config, clock: systemClock });
  worker = startTestWorker(database, config);
}, 60_000);

afterEach(() => {
  kore.control.reset();
  kore.control.addBot(BOT);
  cartesia.control.reset();
});

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await Promise.all([kore?.close(), cartesia?.close()]);
  await database?.close();
});

async function run(targets: unknown[], subject: Record<string, string> = {}) {
  const id = await submit(t, { regulation: 'gdpr', subject: Object.keys(subject).length > 0 ? subject : undefined, targets });
  worker.wake();
  await waitAllFinal(database.db, id, 60_000);
  const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(KEYS.reader) });
  return { id, status: (res.json() as { status: string }).status, tasks: await tasksOf(database.db, id) };
}

describe('Kore.ai readings', () => {
  it.each([
    ['inclusive', 2],
    ['exclusive', 0],
  ] as const)('dateTo %s, sessions on window boundaries, 7-session pages, hidden sessions, rate limits as 200: every session once', async (dateTo, repeats) => {
    kore.control.updateSettings({ getSessionsDateTo: dateTo, getSessionsMaxLimit: 7, sessionAfterConversationDelete: 'hidden', rateLimitHttpStatus: 200, rateLimitBodyShape: 'msg' });
    kore.control.setFaults({ seed: 5, routes: { 'koreai.sessions.get': { rateLimitRate: 0.3 } } });
    const from = Date.parse(`${daysAgoDate(21)}T00:00:00.000Z`);
    const at = (ms: number) => new Date(ms).toISOString();
    // Jane: on the range's start, on both window boundaries, and 30 more; Joe at the very same instants.
    const instants = [from, from + 7 * DAY, from + 14 * DAY, ...Array.from({ length: 30 }, (_, i) => from + 3600_000 + i * 0.6 * DAY)];
    kore.control.seedSessions(BOT.botId, [
      ...instants.map((ms, i) => ({ sessionId: `jane-${i}`, userId: 'jane@example.com', startTime: at(ms), recording: { status: 'success' as const } })),
      ...instants.slice(0, 5).map((ms, i) => ({ sessionId: `joe-${i}`, userId: 'joe@example.com', startTime: at(ms), recording: { status: 'success' as const } })),
    ]);
    const { status, tasks } = await run([{ type: 'koreai.user', connection: 'kore', userId: 'jane@example.com', from: daysAgoDate(21) }]);
    expect(status).toBe('completed');
    const recordings = tasks.filter((x) => x.type === 'koreai.recording').map((x) => x.locator.sessionId as string);
    expect(recordings.sort()).toEqual(instants.map((_, i) => `jane-${i}`).sort());
    const discovery = tasks.find((x) => x.type === 'koreai.discovery')!;
    expect(discovery.upstream_ref).toMatchObject({ discovery: { windows: 4, sessionsMatched: 33, boundaryRepeats: repeats, sessionsOfOthers: 0 } });
    // Joe's sessions and conversations are all there; none of Jane's are.
    const state = kore.control.botState(BOT.botId);
    expect(state.sessions.filter((s) => s.userId === 'joe@example.com').every((s) => s.recordingStatus === 'success' && s.conversationHeld)).toBe(true);
    expect(state.sessions.filter((s) => s.userId === 'jane@example.com').every((s) => s.recordingStatus === 'media_unavailable' && !s.conversationHeld)).toBe(true);
    // Rate-limited answers (HTTP 200, `{"msg": …}`) came and were waited out, never read as an empty page.
    expect(kore.control.report().faultsInjected['koreai.sessions.get']?.rate_limit).toBeGreaterThan(0);
    expect(Object.values(kore.control.breaches()).map((b) => b.total)).toEqual([0]);
  }, 90_000);

  it('a sessions page the gateway cannot read (HTML, or the right status without the shape) is retried, then fails: never "nothing found"', async () => {
    kore.control.setFaults({ routes: { 'koreai.sessions.get': { errorRate: 1, errorStatus: 502 } } });
    const { status, tasks } = await run([{ type: 'koreai.user', connection: 'kore', userId: 'jane@example.com', from: daysAgoDate(3) }]);
    expect(status).toBe('failed');
    expect(tasks.map((x) => [x.type, x.state])).toEqual([['koreai.discovery', 'failed']]);
    expect(tasks[0]!.last_error).toMatchObject({ kind: 'http', status: 502, gaveUp: 'max_attempts' });
  });
});

describe('Cartesia readings', () => {
  const call = (id: string, agent: string, from: string, daysAgo: number, metadata: Record<string, unknown> = {}) => ({
    id,
    agent_id: agent,
    status: 'completed' as const,
    start_time: new Date(Date.now() - daysAgo * DAY).toISOString(),
    telephony_params: { from, to: '+18005550100', direction: 'inbound', connection_type: 'phone' },
    metadata,
  });

  it.each(['empty', '404'] as const)('an unknown agent (unknownAgent %s) fails the discovery with the vendor’s answer; the known agent’s matches are still erased', async (reading) => {
    cartesia.control.updateSettings({ unknownAgent: reading });
    cartesia.control.seedCalls([call('ac_jane', 'agent_a', '+14155550123', 1), call('ac_other', 'agent_a', '+14155550124', 1)]);
    const { status, tasks } = await run([{ type: 'cartesia.subject', connection: 'cartesia', agentIds: ['agent_a', 'agent_typo'] }], { phone: '+14155550123' });
    expect(status).toBe('failed');
    const discovery = tasks.find((x) => x.type === 'cartesia.discovery')!;
    expect(discovery.state).toBe('failed');
    expect(discovery.last_error).toMatchObject({ kind: 'http', status: 404, code: 'not_found' });
    expect(discovery.upstream_ref).toMatchObject({ discovery: { agents: [{ agentId: 'agent_a', existence: 'listed', callsMatched: 1 }, { agentId: 'agent_typo', existence: null }] } });
    expect(tasks.filter((x) => x.type === 'cartesia.call').map((x) => [x.locator.callId, x.state])).toEqual([['ac_jane', 'succeeded']]);
    expect(cartesia.control.deleted().calls.map((c) => c.callId)).toEqual(['ac_jane']);
  });

  it('an agent without calls is looked up and then searched: nothing found there is not_found', async () => {
    cartesia.control.seedAgents(['agent_quiet']);
    const { status, tasks } = await run([{ type: 'cartesia.subject', connection: 'cartesia', agentIds: ['agent_quiet'], phones: ['+14155550123'] }]);
    expect(status).toBe('completed');
    expect(tasks.map((x) => [x.type, x.state])).toEqual([['cartesia.discovery', 'not_found']]);
    expect(tasks[0]!.upstream_ref).toMatchObject({ discovery: { lookups: 1, agents: [{ agentId: 'agent_quiet', existence: 'lookup' }] } });
    expect(cartesia.control.requests().counts['cartesia.agents.get']?.received).toBe(1);
  });

  it('where the agent lookup is no route, an empty agent cannot be told from a typo: the discovery fails unrecognised_answer', async () => {
    cartesia.control.updateSettings({ agentLookup: 'route-missing' });
    cartesia.control.seedAgents(['agent_quiet']);
    const { status, tasks } = await run([{ type: 'cartesia.subject', connection: 'cartesia', agentIds: ['agent_quiet'], phones: ['+14155550123'] }]);
    expect(status).toBe('failed');
    expect(tasks[0]!.last_error).toMatchObject({ kind: 'unrecognised_answer', status: 404, gaveUp: 'max_attempts' });
  });

  it('a proxy answering an HTML page with 200 is never an empty list: nothing is erased, the discovery fails', async () => {
    cartesia.control.seedCalls([call('ac_jane', 'agent_a', '+14155550123', 1)]);
    cartesia.control.updateSettings({ proxy: 'html200' });
    const { status, tasks } = await run([{ type: 'cartesia.subject', connection: 'cartesia', phones: ['+14155550123'] }]);
    expect(status).toBe('failed');
    expect(tasks.map((x) => [x.type, x.state])).toEqual([['cartesia.discovery', 'failed']]);
    expect(tasks[0]!.last_error).toMatchObject({ kind: 'unrecognised_answer', code: 'not_json' });
  });

  it('metadata matches when every key given matches; calls before `since` are not read', async () => {
    cartesia.control.seedCalls([
      call('ac_new', 'agent_a', '+18005550199', 1, { customer_id: 4711, plan: 'pro' }),
      call('ac_partial', 'agent_a', '+18005550199', 2, { customer_id: 4711, plan: 'free' }),
      call('ac_someone', 'agent_a', '+18005550199', 3, { customer_id: 4712, plan: 'pro' }),
      call('ac_old', 'agent_a', '+18005550199', 40, { customer_id: 4711, plan: 'pro' }),
    ]);
    const since = new Date(Date.now() - 30 * DAY).toISOString();
    const { status, tasks } = await run([{ type: 'cartesia.subject', connection: 'cartesia', metadata: { customer_id: '4711', plan: 'pro' }, since }]);
    expect(status).toBe('completed');
    expect(tasks.filter((x) => x.type === 'cartesia.call').map((x) => x.locator.callId)).toEqual(['ac_new']);
    expect(tasks[0]!.upstream_ref).toMatchObject({ discovery: { callsSeen: 4, callsMatched: 1, matchedByMetadata: 1, agents: [{ ended: 'since' }] } });
  });
});
