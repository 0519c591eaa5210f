// Must show: an identity-only request — a Kore.ai user with sessions over 90 days among four other users'
// sessions, and a phone number among 260 calls over two agents — erases exactly that person's recordings,
// conversations and calls and nothing of anyone else's, within the Kore.ai limits (no breach), asking
// getSessions for no window over 7 days; and its evidence says what was searched, with no raw identifier.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/worker/worker.ts';
import { startTestWorker, tasksOf, waitAllFinal } from '../engine/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, KEYS, type TestApp } from '../http/harness.ts';
import { cartesiaHoldings, daysAgoDate, identityBody, koreHoldings, startWorld, SUBJECT, submit, worldApp, worldConfig, worldConfigFile, type World } from './helpers.ts';

let database: TestDatabase;
let world: World;
let t: TestApp;
let worker: Worker;
let requestId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await startWorld();
  const config = worldConfig(worldConfigFile(world));
  t = await worldApp(database, config);
  worker = startTestWorker(database, config);
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await t?.close();
  await world?.close();
  await database?.close();
});

describe('an identity-only request', () => {
  it('erases exactly the person’s data, within the limits, in windows of at most 7 days', { timeout: 120_000 }, async () => {
    const subjectUser = world.sessions.users[0]!;
    const subjectCalls = world.calls.phones[0]!;
    const koreBefore = koreHoldings(world);
    const cartesiaBefore = cartesiaHoldings(world);
    // The data is there to find: the person and the others each hold recordings, conversations, calls.
    expect(subjectUser.sessionIds.length).toBeGreaterThanOrEqual(18);
    expect(koreBefore[subjectUser.userId]!.recordings).toBeGreaterThan(0);
    expect(subjectCalls.callIds.length).toBeGreaterThan(10);
    expect(Object.keys(subjectCalls.byAgent).filter((a) => subjectCalls.byAgent[a]!.length > 0)).toHaveLength(2);

    // From a midnight 100 days back, so the windows' boundaries fall on midnights, where a quarter of the
    // sessions start: sessions on a boundary are listed by both windows and must be taken once.
    const id = await submit(t, identityBody(subjectUser.userId, { from: daysAgoDate(100) }));
    worker.wake();
    const final = await waitAllFinal(database.db, id, 100_000);
    const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(KEYS.reader) });
    const request = res.json() as { status: string; targets: Array<{ type: string; tasks: number }> };
    console.log(`[discovery] final ${JSON.stringify(final)}; targets ${JSON.stringify(request.targets)}`);
    expect(request.status).toBe('completed');
    expect(request.targets.map((x) => x.type)).toEqual(['koreai.user', 'cartesia.subject']);

    // Counts per person, before and after: the subject's are gone, everyone else's are as they were.
    const koreAfter = koreHoldings(world);
    const cartesiaAfter = cartesiaHoldings(world);
    console.log(`[discovery] Kore.ai before ${JSON.stringify(koreBefore)} after ${JSON.stringify(koreAfter)}`);
    console.log(`[discovery] Cartesia before ${JSON.stringify(cartesiaBefore)} after ${JSON.stringify(cartesiaAfter)}`);
    expect(koreAfter[subjectUser.userId]).toEqual({ recordings: 0, conversations: 0 });
    for (const user of world.sessions.users.slice(1)) expect(koreAfter[user.userId]).toEqual(koreBefore[user.userId]);
    expect(cartesiaAfter[SUBJECT.phone]).toBe(0);
    for (const key of Object.keys(cartesiaBefore).filter((k) => k !== SUBJECT.phone)) expect(cartesiaAfter[key]).toBe(cartesiaBefore[key]);

    // And exactly those deletions happened upstream: no one else's id was ever sent to be deleted.
    const koreDeleted = world.kore.control.deleted();
    expect(new Set(koreDeleted.recordings.map((r) => r.sessionId))).toEqual(new Set(subjectUser.recordings.success ?? []));
    expect(new Set(koreDeleted.conversations.map((c) => c.conversationId))).toEqual(new Set(subjectUser.conversationIds));
    expect(new Set(world.cartesia.control.deleted().calls.map((c) => c.callId))).toEqual(new Set(subjectCalls.callIds));

    // Within Kore.ai's limits: no breach; getSessions never asked for more than 7 days, never refused.
    const breaches = world.kore.control.breaches();
    const koreCalls = Object.values(world.kore.control.requests().counts).reduce((n, r) => n + r.received, 0);
    console.log(`[discovery] Kore.ai calls ${koreCalls}, breaches ${JSON.stringify(breaches)}`);
    expect(Object.values(breaches).map((b) => b.total)).toEqual([0]);
    const queries = world.kore.control.sessionQueries();
    expect(queries.length).toBeGreaterThanOrEqual(15);
    expect(Math.max(...queries.map((q) => q.windowMs))).toBeLessThanOrEqual(7 * 86_400_000);
    expect(queries.every((q) => q.status === 200 && q.userIdGiven)).toBe(true);

    // Each found session and call is one task, once.
    const tasks = await tasksOf(database.db, id);
    const byType = (type: string) => tasks.filter((x) => x.type === type);
    expect(byType('koreai.recording').map((x) => x.locator.sessionId).sort()).toEqual([...subjectUser.sessionIds].sort());
    expect(byType('cartesia.call').map((x) => x.locator.callId).sort()).toEqual([...subjectCalls.callIds].sort());
    expect(byType('koreai.conversations').flatMap((x) => x.locator.conversationIds as string[]).sort()).toEqual([...subjectUser.sessionIds].sort());
    const keys = tasks.map((x) => x.locator_key).filter((k) => k !== null);
    expect(new Set(keys).size).toBe(keys.length);

    // What was searched, on the discovery tasks.
    const [koreDiscovery] = byType('koreai.discovery');
    expect(koreDiscovery!.state).toBe('succeeded');
    expect(koreDiscovery!.upstream_ref).toMatchObject({
      discovery: { windows: 15, windowsSearched: 15, sessionsMatched: subjectUser.sessionIds.length, sessionsOfOthers: 0, done: true },
    });
    const [cartesiaDiscovery] = byType('cartesia.discovery');
    expect(cartesiaDiscovery!.upstream_ref).toMatchObject({ discovery: { callsMatched: subjectCalls.callIds.length, done: true } });
    console.log(`[discovery] Kore.ai ${JSON.stringify(koreDiscovery!.upstream_ref)}`);
    console.log(`[discovery] Cartesia ${JSON.stringify(cartesiaDiscovery!.upstream_ref)}`);
    requestId = id;
  });

  it('its evidence names the ranges searched and the counts seen and matched, with no raw identifier; nor has its trail', async () => {
    const subjectUser = world.sessions.users[0]!;
    const subjectCalls = world.calls.phones[0]!;
    const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${requestId}/evidence`, headers: bearer(KEYS.auditor) });
    expect(res.statusCode).toBe(200);
    const { payload, jws } = res.json() as { payload: { final: boolean; discovery: Array<Record<string, any>>; request: { subjectHashes: Record<string, string> } }; jws: string };
    expect(payload.final).toBe(true);
    const [kore, cartesia] = payload.discovery;
    expect(kore).toMatchObject({
      type: 'koreai.discovery',
      state: 'succeeded',
      identities: { userId: payload.request.subjectHashes.userId },
      searched: {
        range: { from: expect.any(String), to: expect.any(String) },
        windowDays: 7,
        windows: 15,
        windowsSearched: 15,
        widestWindowMs: 7 * 86_400_000,
        pages: expect.any(Number),
        sessionsSeen: subjectUser.sessionIds.length,
        sessionsMatched: subjectUser.sessionIds.length,
        found: { recordings: subjectUser.sessionIds.length, conversationJobs: 1, channelUserJobs: 0 },
      },
      tasksAdded: subjectUser.sessionIds.length + 1,
    });
    expect(cartesia).toMatchObject({
      type: 'cartesia.discovery',
      identities: { phones: [payload.request.subjectHashes.phone] },
      searched: {
        since: expect.any(String),
        until: expect.any(String),
        callsSeen: world.calls.phones.reduce((n, p) => n + p.callIds.length, 0) + world.calls.bystanderCallIds.length,
        callsMatched: subjectCalls.callIds.length,
        agents: [expect.objectContaining({ agentId: 'agent_support', existence: 'listed' }), expect.objectContaining({ agentId: 'agent_billing', existence: 'listed' })],
      },
      tasksAdded: subjectCalls.callIds.length,
    });
    console.log(`[discovery] evidence.discovery ${JSON.stringify(payload.discovery)}`);
    const events = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${requestId}/events?limit=1000`, headers: bearer(KEYS.auditor) });
    const jwsPayload = Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8');
    for (const text of [res.body, jwsPayload, events.body]) {
      for (const raw of ['subject.person', '4155550123', '415 555 0123', '415-555-0123']) expect(text).not.toContain(raw);
    }
    expect(events.body).toContain('discovery.completed');
  });
});
