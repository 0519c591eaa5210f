import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import { DEMO_IDS } from '../../src/simulators/demo-data.ts';
import { signHs256Jwt } from '../../src/simulators/koreai/jwt-hs256.ts';
import { startSandboxSimulators, type SandboxSimulators } from '../../src/simulators/sandbox.ts';
import { call } from './helpers.ts';

let sandbox: SandboxSimulators | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

describe('startSandboxSimulators', () => {
  it('starts both simulators on loopback with the demo data, and the demo ids erase as the README shows', async () => {
    const clock = createManualClock(Date.parse('2026-05-20T09:00:00.000Z'));
    sandbox = await startSandboxSimulators({ clock });
    const { koreai, cartesia, demo } = sandbox;
    expect(koreai.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(cartesia.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(demo).toEqual(DEMO_IDS);
    expect(koreai.botId).toBe(demo.koreai.botId);

    // Cartesia: completed/failed → 200, unknown → 404, started → 400 until it ends a few seconds after start
    const del = (id: string) =>
      call('DELETE', `${cartesia.baseUrl}/agents/calls/${id}`, { headers: { authorization: `Bearer ${cartesia.apiKey}`, 'cartesia-version': '2026-03-01' } });
    const { completed, failed, endsSoon, unknown } = demo.cartesia.callIds;
    expect((await del(completed)).status).toBe(200);
    expect((await del(failed)).status).toBe(200);
    expect((await del(unknown)).status).toBe(404);
    expect((await del(endsSoon)).status).toBe(400);

    const iat = Math.floor(clock.now() / 1000);
    const auth = { auth: signHs256Jwt({ appId: koreai.clientId, sub: 'demo', iat, exp: iat + 3600 }, koreai.clientSecret) };
    const bot = `${koreai.baseUrl}/api/public/bot/${koreai.botId}`;

    // conversations by id and by cId: queued, then completed a few seconds later
    const byIds = await call('POST', `${bot}/conversations/delete`, { headers: auth, json: { conversationIds: demo.koreai.conversationIds } });
    const byCid = await call('POST', `${bot}/conversations/delete`, { headers: auth, json: { cId: demo.koreai.cId } });
    expect([byIds.status, byCid.status]).toEqual([202, 202]);
    clock.advance(3_000);
    const result = async (jobId: string) => (await call('GET', `${bot}/conversations/delete/${jobId}`, { headers: auth })).body;
    expect(await result(byIds.body.jobId)).toMatchObject({ status: 'completed', result: { totalConversations: 3, deletedCount: 3 } });
    expect(await result(byCid.body.jobId)).toMatchObject({ status: 'completed', result: { totalConversations: 3, deletedCount: 3 } });
    // Of the conversations not made with a session, only the bystanders' are left (the sessions' own are discovered by userId).
    const left = koreai.simulator.control.botState(koreai.botId).conversations.filter((c) => c.sessionId === null);
    expect(left.map((c) => c.id).sort()).toEqual([...demo.koreai.bystanderConversationIds].sort());

    // recordings: one to delete, one still on a call that finishes within ~10 s, one with nothing
    const v2 = async (sessionId: string) => (await call('GET', `${bot}/v2/recordings?sessionId=${sessionId}`, { headers: auth })).body.status;
    const { withRecording, inProgress, mediaUnavailable } = demo.koreai.sessionIds;
    expect([await v2(withRecording), await v2(inProgress), await v2(mediaUnavailable)]).toEqual(['success', 'call_in_progress', 'media_unavailable']);
    expect((await call('DELETE', `${bot}/v2/recordings?sessionId=${withRecording}`, { headers: auth })).status).toBe(200);
    clock.advance(7_000);
    expect(await v2(inProgress)).toBe('success');
    // 10 s in: the started call has ended and can be deleted; the bystander's call was never touched
    expect((await del(endsSoon)).status).toBe(200);
    expect(cartesia.simulator.control.deleted().calls.map((d) => d.callId)).toEqual([completed, failed, endsSoon]);
  });

  it('with the real clock: random credentials per start unless given, two sandboxes side by side', async () => {
    sandbox = await startSandboxSimulators({ cartesiaApiKey: 'sk_car_fixed_for_test' });
    expect(sandbox.cartesia.apiKey).toBe('sk_car_fixed_for_test');
    const other = await startSandboxSimulators();
    try {
      expect(other.koreai.clientSecret).not.toBe(sandbox.koreai.clientSecret);
      expect(other.koreai.baseUrl).not.toBe(sandbox.koreai.baseUrl);
    } finally {
      await other.close();
    }
    expect(sandbox.cartesia.simulator.control.call(DEMO_IDS.cartesia.callIds.endsSoon).status).toBe('started');
  });
});

describe('demo data to discover from the subject’s identity', () => {
  const digits = (phone: string | undefined) => (phone ?? '').replace(/\D/g, '');

  it('Cartesia: the subject’s phone on calls across two agents among bystanders (260 calls), found exactly, erased without touching others', async () => {
    const clock = createManualClock(Date.parse('2026-05-20T09:00:00.000Z'));
    sandbox = await startSandboxSimulators({ clock, demoCalls: 260 });
    const { cartesia, demo, demoData } = sandbox;
    const headers = { authorization: `Bearer ${cartesia.apiKey}`, 'cartesia-version': '2026-03-01' };
    expect(demo.cartesia.phone).toBe('+14155550123');
    expect(demoData.cartesia.total).toBe(260);

    type Listed = { id: string; status: string; telephony_params?: { from?: string; to?: string } };
    const listed: Listed[] = [];
    for (const agent of demo.cartesia.agentIds) {
      let cursor: string | null = null;
      do {
        const page = await call('GET', `${cartesia.baseUrl}/agents/calls?agent_id=${agent}&limit=100${cursor === null ? '' : `&starting_after=${cursor}`}`, { headers });
        expect(page.status).toBe(200);
        listed.push(...page.body.data);
        cursor = page.body.next_page;
      } while (cursor !== null);
    }
    expect(listed).toHaveLength(260);
    const mine = listed.filter((c) => digits(c.telephony_params?.from) === digits(demo.cartesia.phone) || digits(c.telephony_params?.to) === digits(demo.cartesia.phone));
    expect(mine.map((c) => c.id).sort()).toEqual([...demoData.cartesia.subject.callIds].sort());
    expect(mine.length).toBeGreaterThan(20);
    for (const agent of demo.cartesia.agentIds) expect(demoData.cartesia.subject.byAgent[agent]?.length).toBeGreaterThan(1);
    expect(mine.map((c) => c.id)).toEqual(expect.arrayContaining([demo.cartesia.callIds.completed, demo.cartesia.callIds.failed, demo.cartesia.callIds.endsSoon, demo.cartesia.callIds.onSecondAgent]));
    expect(mine.find((c) => c.id === demo.cartesia.callIds.onSecondAgent)?.telephony_params?.to).toBe('+1 415 555 0123');
    expect(mine.find((c) => c.id === demo.cartesia.callIds.endsSoon)?.status).toBe('started');
    // the bystander one digit away is not the subject
    expect(listed.find((c) => c.id === demo.cartesia.bystanderCallIds[0])?.telephony_params?.from).toBe('+14155550124');

    const answers = [];
    for (const c of mine) answers.push((await call('DELETE', `${cartesia.baseUrl}/agents/calls/${c.id}`, { headers })).status);
    expect(answers.filter((s) => s === 400)).toHaveLength(1); // the call still going on
    expect(answers.filter((s) => s === 200)).toHaveLength(mine.length - 1);
    const redacted = cartesia.simulator.control.calls().filter((c) => c.redacted_at !== null).map((c) => c.id);
    expect(redacted.sort()).toEqual(mine.map((c) => c.id).filter((id) => id !== demo.cartesia.callIds.endsSoon).sort());
    expect(demoData.cartesia.bystanderCallIds.some((id) => redacted.includes(id))).toBe(false);
  });

  it('Kore.ai: the subject’s sessions over ~90 days (with recordings) among other users’, found by getSessions, erased without touching others', async () => {
    const clock = createManualClock(Date.parse('2026-05-20T09:00:00.000Z'));
    sandbox = await startSandboxSimulators({ clock });
    const { koreai, demo, demoData } = sandbox;
    expect(demoData.cartesia.total).toBe(60);
    const iat = Math.floor(clock.now() / 1000);
    const headers = { auth: signHs256Jwt({ appId: koreai.clientId, sub: 'demo', iat, exp: iat + 3600 }, koreai.clientSecret) };
    const bot = `${koreai.baseUrl}/api/public/bot/${koreai.botId}`;

    const found: string[] = [];
    for (let week = 0; week < 14; week++) {
      const end = clock.now() - week * 7 * 86_400_000;
      const json = { userId: demo.koreai.userId, dateFrom: new Date(end - 6 * 86_400_000).toISOString().slice(0, 10), dateTo: new Date(end).toISOString().slice(0, 10), limit: 100 };
      const page = await call('POST', `${bot}/getSessions`, { headers, json });
      expect(page.status).toBe(200);
      expect(page.body.moreAvailable).toBe(false);
      found.push(...page.body.sessions.map((s: { sessionId: string }) => s.sessionId));
    }
    expect([...found].sort()).toEqual([...demoData.koreai.subject.sessionIds].sort());
    expect(found.length).toBe(15);
    const state = koreai.simulator.control.botState(koreai.botId);
    const oldest = Math.min(...state.sessions.filter((s) => s.userId === demo.koreai.userId).map((s) => Date.parse(s.startTime)));
    expect(clock.now() - oldest).toBeGreaterThan(45 * 86_400_000);
    expect(clock.now() - oldest).toBeLessThanOrEqual(90 * 86_400_000);
    expect(demoData.koreai.subject.withRecording.length).toBeGreaterThan(3);
    expect(demoData.koreai.subject.withRecording).toContain(demo.koreai.sessionIds.withRecording);
    expect(demoData.koreai.bystanders.map((b) => b.userId)).toEqual([...demo.koreai.bystanderUserIds]);
    const bystanderSessions = state.sessions.filter((s) => s.userId !== demo.koreai.userId);
    expect(bystanderSessions.length).toBeGreaterThanOrEqual(40);

    // Erase what was found: recordings that exist now, and the sessions' conversations.
    const v2 = async (sessionId: string) => (await call('GET', `${bot}/v2/recordings?sessionId=${sessionId}`, { headers })).body.status;
    expect(await v2(demo.koreai.sessionIds.inProgress)).toBe('call_in_progress');
    for (const sessionId of found) if ((await v2(sessionId)) === 'success') expect((await call('DELETE', `${bot}/v2/recordings?sessionId=${sessionId}`, { headers })).status).toBe(200);
    const job = await call('POST', `${bot}/conversations/delete`, { headers, json: { conversationIds: found } });
    clock.advance(3_000);
    expect((await call('GET', `${bot}/conversations/delete/${job.body.jobId}`, { headers })).body).toMatchObject({
      status: 'completed',
      result: { totalConversations: 15, deletedCount: 15, skippedCount: 0 },
    });

    const after = koreai.simulator.control.botState(koreai.botId);
    const subjectAfter = after.sessions.filter((s) => s.userId === demo.koreai.userId);
    expect(subjectAfter.filter((s) => s.conversationHeld)).toEqual([]);
    // only the call still going on has media to come: retry once it is there
    expect(subjectAfter.filter((s) => s.recordingStatus !== 'media_unavailable').map((s) => [s.sessionId, s.recordingStatus])).toEqual([
      [demo.koreai.sessionIds.inProgress, 'call_in_progress'],
    ]);
    clock.advance(5_000);
    expect(await v2(demo.koreai.sessionIds.inProgress)).toBe('success');
    expect((await call('DELETE', `${bot}/v2/recordings?sessionId=${demo.koreai.sessionIds.inProgress}`, { headers })).status).toBe(200);
    expect(koreai.simulator.control.botState(koreai.botId).sessions.filter((s) => s.userId === demo.koreai.userId && s.recordingStatus !== 'media_unavailable')).toEqual([]);
    const before = new Map(bystanderSessions.map((s) => [s.sessionId, [s.recordingStatus, s.conversationHeld]]));
    for (const s of after.sessions.filter((x) => x.userId !== demo.koreai.userId)) expect([s.recordingStatus, s.conversationHeld]).toEqual(before.get(s.sessionId));
  });
});
