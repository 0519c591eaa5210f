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
    // Of the conversations not made with a session, only the bystanders' are left.
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
