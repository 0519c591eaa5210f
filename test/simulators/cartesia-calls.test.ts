import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import { CARTESIA_HEADERS, call, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const cartesiaError = (status: string | null = expect.anything()) => ({
  error_code: status,
  title: expect.any(String),
  message: expect.any(String),
  request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
});

describe('seed 004: Cartesia Delete Call', () => {
  it('DELETE /agents/calls/{id} on a completed call answers 200 with the AgentCall, redacted_at set and sensitive fields omitted', async () => {
    const clock = createManualClock(Date.parse('2026-03-01T12:30:00.000Z'));
    const { sim, baseUrl } = await pool.cartesia({ clock });
    sim.control.seedCalls([
      {
        id: 'ac_abc123',
        agent_id: 'agent_abc123',
        agent_name: 'Customer support',
        status: 'completed',
        start_time: '2026-03-01T12:00:00Z',
        end_time: '2026-03-01T12:05:00Z',
        telephony_params: { to: '+15555550123', from: '+15555550100', call_sid: 'sid_abc123', direction: 'inbound', connection_type: 'websocket' },
        end_reason: 'agent_hangup',
        deployment_id: 'ad_abc123',
        deployment_version_id: 'av_abc123',
        deployment_region: 'US',
        metadata: { customer: 'jane@example.com' },
        summary: 'Jane asked about her bill.',
      },
    ]);

    const answer = await call('DELETE', `${baseUrl}/agents/calls/ac_abc123`, { headers: CARTESIA_HEADERS });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      id: 'ac_abc123',
      agent_id: 'agent_abc123',
      agent_name: 'Customer support',
      zdr_enabled: false,
      redacted_at: '2026-03-01T12:30:00.000Z',
      start_time: '2026-03-01T12:00:00Z',
      end_time: '2026-03-01T12:05:00Z',
      telephony_params: { call_sid: 'sid_abc123', direction: 'inbound', connection_type: 'websocket' },
      telephony_account_type: 'cartesia',
      status: 'completed',
      end_reason: 'agent_hangup',
      deployment_id: 'ad_abc123',
      deployment_version_id: 'av_abc123',
      deployment_region: 'US',
    });
    // and the data stays deleted for later readers
    const later = await call('GET', `${baseUrl}/agents/calls/ac_abc123`, { headers: CARTESIA_HEADERS });
    expect(later.body).not.toHaveProperty('transcript');
    expect(later.body).not.toHaveProperty('metadata');
    expect(sim.control.deleted()).toEqual({ calls: [{ callId: 'ac_abc123', at: '2026-03-01T12:30:00.000Z' }] });
  });
});

describe('Cartesia DELETE in the documented situations', () => {
  it('200 again (same redacted_at) when already deleted, 400 when not terminal, 404 when unknown', async () => {
    const clock = createManualClock();
    const { sim, baseUrl } = await pool.cartesia({ clock });
    sim.control.seedCalls([
      { id: 'ac_failed', status: 'failed' },
      { id: 'ac_created', status: 'created' },
      { id: 'ac_started', status: 'started' },
    ]);
    const del = (id: string) => call('DELETE', `${baseUrl}/agents/calls/${id}`, { headers: CARTESIA_HEADERS });

    const first = await del('ac_failed');
    expect(first.status).toBe(200);
    expect(first.body).not.toHaveProperty('error_message');
    clock.advance(60_000);
    const again = await del('ac_failed');
    expect(again.status).toBe(200);
    expect(again.body.redacted_at).toBe(first.body.redacted_at);

    for (const id of ['ac_created', 'ac_started']) {
      const active = await del(id);
      expect(active.status).toBe(400);
      // the docs show no code for this 400 (setting notTerminalErrorCode gives it one)
      expect(active.body).toEqual(cartesiaError(null));
      expect(active.body.message).toMatch(/cancel/);
    }
    const unknown = await del('ac_nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual(cartesiaError());
    expect(sim.control.deleted().calls.map((d) => d.callId)).toEqual(['ac_failed']);
  });

  it('500 "deletion did not complete" from an injected fault; the retry succeeds, idempotently, even when the first attempt had deleted', async () => {
    const { sim, baseUrl } = await pool.cartesia({ faults: { routes: { 'cartesia.calls.delete': { errorRate: 1, phase: 'after' } } } });
    sim.control.seedCalls([{ id: 'ac_1', status: 'completed' }]);
    const failed = await call('DELETE', `${baseUrl}/agents/calls/ac_1`, { headers: CARTESIA_HEADERS });
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({ ...cartesiaError(null), message: 'Deletion did not complete. Retry the request; deletion is idempotent.' });

    sim.control.setFaults({});
    const retried = await call('DELETE', `${baseUrl}/agents/calls/ac_1`, { headers: CARTESIA_HEADERS });
    expect(retried.status).toBe(200);
    expect(retried.body.redacted_at).toEqual(expect.any(String));
    expect(sim.control.deleted().calls).toHaveLength(1);
  });

  it('can show deleted fields as null instead of omitting them (the other docs reading)', async () => {
    const { sim, baseUrl } = await pool.cartesia({ settings: { redactedFields: 'null' } });
    sim.control.seedCalls([{ id: 'ac_1', status: 'completed' }]);
    const answer = await call('DELETE', `${baseUrl}/agents/calls/ac_1`, { headers: CARTESIA_HEADERS });
    expect(answer.body).toMatchObject({ transcript: null, summary: null, metadata: null, error_message: null });
    expect(answer.body.telephony_params).toMatchObject({ to: null, from: null });
  });
});

describe('Cartesia calls over time, and cancel', () => {
  it('a started call that ends later becomes deletable', async () => {
    const clock = createManualClock();
    const { sim, baseUrl } = await pool.cartesia({ clock });
    sim.control.seedCalls([{ id: 'ac_live', status: 'started', endsAt: { afterMs: 5_000 }, endReason: 'client_hangup' }]);
    const del = () => call('DELETE', `${baseUrl}/agents/calls/ac_live`, { headers: CARTESIA_HEADERS });

    expect((await del()).status).toBe(400);
    clock.advance(5_000);
    const got = await call('GET', `${baseUrl}/agents/calls/ac_live`, { headers: CARTESIA_HEADERS });
    expect(got.body).toMatchObject({ status: 'completed', end_reason: 'client_hangup', end_time: new Date(clock.now()).toISOString() });
    expect((await del()).status).toBe(200);
  });

  it('cancel: only started calls (200 {"cancelled":true}, ends api_cancelled, deletes nothing); otherwise 400 or 404', async () => {
    const clock = createManualClock();
    const { sim, baseUrl } = await pool.cartesia({ clock, settings: { cancelDelayMs: 2_000 } });
    sim.control.seedCalls([
      { id: 'ac_live', status: 'started' },
      { id: 'ac_done', status: 'completed' },
      { id: 'ac_new', status: 'created' },
    ]);
    const cancel = (id: string) => call('POST', `${baseUrl}/agents/calls/${id}/cancel`, { headers: CARTESIA_HEADERS });

    const cancelled = await cancel('ac_live');
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toEqual({ cancelled: true });
    // still ending for cancelDelayMs, then completed with api_cancelled, transcript intact
    expect((await call('GET', `${baseUrl}/agents/calls/ac_live`, { headers: CARTESIA_HEADERS })).body.status).toBe('started');
    clock.advance(2_000);
    const ended = await call('GET', `${baseUrl}/agents/calls/ac_live`, { headers: CARTESIA_HEADERS });
    expect(ended.body).toMatchObject({ status: 'completed', end_reason: 'api_cancelled', redacted_at: null });
    expect(ended.body.transcript.length).toBeGreaterThan(0);
    expect(sim.control.deleted().calls).toEqual([]);

    for (const id of ['ac_done', 'ac_new', 'ac_live']) {
      const refused = await cancel(id);
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual(cartesiaError());
    }
    expect((await cancel('ac_nope')).status).toBe(404);
  });
});

describe('Cartesia list and auth', () => {
  it('lists an agent’s calls newest first, paged with next_page / starting_after / ending_before, transcript only on expand', async () => {
    const { sim, baseUrl } = await pool.cartesia();
    sim.control.seedCalls(
      [1, 2, 3, 4, 5].map((n) => ({ id: `ac_${n}`, agent_id: 'agent_a', status: 'completed' as const, start_time: `2026-03-0${n}T10:00:00Z` })),
    );
    sim.control.seedCalls([{ id: 'ac_other', agent_id: 'agent_b', status: 'completed' }]);
    const list = (query: string) => call('GET', `${baseUrl}/agents/calls?${query}`, { headers: CARTESIA_HEADERS });
    const ids = (answer: { body: { data: { id: string }[] } }) => answer.body.data.map((c) => c.id);

    const first = await list('agent_id=agent_a&limit=2');
    expect(ids(first)).toEqual(['ac_5', 'ac_4']);
    expect(first.body.next_page).toBe('ac_4');
    expect(first.body.data[0]).not.toHaveProperty('transcript');
    const second = await list('agent_id=agent_a&limit=2&starting_after=ac_4&expand=transcript');
    expect(ids(second)).toEqual(['ac_3', 'ac_2']);
    expect(second.body.data[0].transcript).toEqual(expect.any(Array));
    const last = await list('agent_id=agent_a&limit=2&starting_after=ac_2');
    expect(last.body).toMatchObject({ next_page: null });
    expect(ids(last)).toEqual(['ac_1']);
    expect(ids(await list('agent_id=agent_a&limit=2&ending_before=ac_2'))).toEqual(['ac_4', 'ac_3']);

    for (const bad of ['limit=2', 'agent_id=agent_a&limit=0', 'agent_id=agent_a&limit=101', 'agent_id=agent_a&starting_after=ac_nope']) {
      expect((await list(bad)).status).toBe(400);
    }
  });

  it('refuses a wrong or missing key with 401 and a missing or unsupported Cartesia-Version with 400, in Cartesia’s error shape', async () => {
    const { sim, baseUrl } = await pool.cartesia();
    sim.control.seedCalls([{ id: 'ac_1', status: 'completed' }]);
    const url = `${baseUrl}/agents/calls/ac_1`;
    const cases: [Record<string, string>, number][] = [
      [{ 'cartesia-version': '2026-03-01' }, 401],
      [{ authorization: 'Bearer sk_car_wrong', 'cartesia-version': '2026-03-01' }, 401],
      [{ authorization: CARTESIA_HEADERS.authorization }, 400],
      [{ authorization: CARTESIA_HEADERS.authorization, 'cartesia-version': '2025-04-16' }, 400],
    ];
    for (const [headers, status] of cases) {
      const answer = await call('DELETE', url, { headers });
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual(cartesiaError());
    }
    expect(sim.control.deleted().calls).toEqual([]);
    sim.control.updateSettings({ acceptedVersions: ['2026-03-01', '2025-04-16'] });
    expect((await call('GET', url, { headers: { ...CARTESIA_HEADERS, 'cartesia-version': '2025-04-16' } })).status).toBe(200);
    // the setting patch left the others alone
    expect(sim.control.settings().concurrencyLimit).toBe(8);
  });
});
