// Cartesia readings a gateway must survive without ever reporting a false "erased": one test per setting.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import { CARTESIA_HEADERS, CARTESIA_KEY, call, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const cartesiaError = (code: string | null, message?: string | RegExp) => ({
  error_code: code,
  title: expect.any(String),
  message: message === undefined ? expect.any(String) : typeof message === 'string' ? message : expect.stringMatching(message),
  request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
});

const TRANSCRIPT = [{ role: 'user', text: 'My account number is 12345.', start_timestamp: 1, end_timestamp: 3 }];

async function withCompletedCall(settings: Record<string, unknown> = {}) {
  const clock = createManualClock();
  const { sim, baseUrl } = await pool.cartesia({ clock, settings });
  sim.control.seedCalls([
    {
      id: 'ac_done',
      agent_id: 'agent_a',
      status: 'completed',
      transcript: TRANSCRIPT,
      summary: 'Account question.',
      metadata: { customer: 'jane@example.com' },
      telephony_params: { from: '+14155550123', to: '+14155550100', call_sid: 'CA1', direction: 'inbound', connection_type: 'phone' },
    },
  ]);
  const api = (method: 'GET' | 'DELETE' | 'POST', path: string, headers: Record<string, string> = CARTESIA_HEADERS) =>
    call(method, `${baseUrl}${path}`, { headers });
  return { sim, baseUrl, clock, api };
}

describe('route not found vs call not found', () => {
  it('a path that is no API route answers 404 {"detail":"Not Found"}; an unknown call answers Cartesia’s JSON error', async () => {
    const { sim, api } = await withCompletedCall();

    // A base URL with a wrong prefix: the call exists, but this is not Cartesia's route for it.
    for (const method of ['GET', 'DELETE'] as const) {
      const wrongPrefix = await api(method, '/v1/agents/calls/ac_done');
      expect(wrongPrefix.status).toBe(404);
      expect(wrongPrefix.headers['content-type']).toMatch(/^application\/json/);
      expect(wrongPrefix.body).toEqual({ detail: 'Not Found' });
    }
    // Even without credentials: the router answers before auth.
    expect((await api('DELETE', '/v1/agents/calls/ac_done', {})).body).toEqual({ detail: 'Not Found' });

    const unknownCall = await api('DELETE', '/agents/calls/ac_nope');
    expect(unknownCall.status).toBe(404);
    expect(unknownCall.body).toEqual(cartesiaError('not_found', 'Call not found.'));

    // Nothing was deleted, and the request log names the unmatched requests.
    expect(sim.control.call('ac_done')).toMatchObject({ redacted_at: null, transcript: TRANSCRIPT });
    expect(sim.control.deleted().calls).toEqual([]);
    expect(sim.control.requests().counts['cartesia.unmatched']).toEqual({ received: 3, byStatus: { '404': 3 } });
    expect(sim.control.requests().log.filter((e) => e.route === 'cartesia.unmatched').map((e) => e.url)).toEqual([
      '/v1/agents/calls/ac_done',
      '/v1/agents/calls/ac_done',
      '/v1/agents/calls/ac_done',
    ]);
  });

  it('routeNotFoundBody: text answers plain "Not Found"; cartesia-json answers Cartesia’s shape with "No such route."', async () => {
    const { sim, api } = await withCompletedCall({ routeNotFoundBody: 'text' });
    const text = await api('DELETE', '/api/agents/calls/ac_done');
    expect(text.status).toBe(404);
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.body).toBe('Not Found');

    sim.control.updateSettings({ routeNotFoundBody: 'cartesia-json' });
    const json = await api('DELETE', '/api/agents/calls/ac_done');
    expect(json.status).toBe(404);
    expect(json.body).toEqual(cartesiaError('not_found', 'No such route.'));
    expect(sim.control.call('ac_done').redacted_at).toBeNull();
  });
});

describe('a proxy in front (setting proxy)', () => {
  for (const [proxy, status, marker] of [
    ['html404', 404, '404 Not Found'],
    ['html200', 200, 'Sign in'],
    ['html502', 502, '502 Bad Gateway'],
  ] as const) {
    it(`${proxy}: every request answers an HTML page with ${status}, and no data is touched`, async () => {
      const { sim, api } = await withCompletedCall({ proxy });
      sim.control.seedCalls([{ id: 'ac_live', agent_id: 'agent_a', status: 'started' }]);
      const answers = [
        await api('DELETE', '/agents/calls/ac_done'),
        await api('GET', '/agents/calls/ac_done'),
        await api('POST', '/agents/calls/ac_live/cancel'),
        await api('GET', '/agents/calls?agent_id=agent_a'),
        await api('DELETE', '/agents/calls/ac_done', {}), // no credentials: still the proxy's page
        await api('GET', '/no/such/route'),
      ];
      for (const answer of answers) {
        expect(answer.status).toBe(status);
        expect(answer.headers['content-type']).toMatch(/^text\/html/);
        expect(typeof answer.body).toBe('string');
        expect(answer.body).toContain(marker);
      }
      expect(sim.control.call('ac_done')).toMatchObject({ redacted_at: null, transcript: TRANSCRIPT, summary: 'Account question.' });
      expect(sim.control.call('ac_live').status).toBe('started');
      const report = sim.control.report();
      expect(report).toMatchObject({ deleted: { calls: [] }, cancelled: [], proxyAnswered: answers.length });
      const log = sim.control.requests().log;
      expect(log).toHaveLength(answers.length);
      expect(log.every((entry) => entry.answeredBy === 'proxy' && entry.status === status && entry.fault === null)).toBe(true);
      expect(log.map((entry) => entry.route)).toEqual([
        'cartesia.calls.delete',
        'cartesia.calls.get',
        'cartesia.calls.cancel',
        'cartesia.calls.list',
        'cartesia.calls.delete',
        'cartesia.unmatched',
      ]);

      // The control API is not behind the proxy; once the proxy goes, the API answers again.
      expect((await call('PATCH', `${(sim.baseUrl() as string)}/_sim/settings`, { json: { proxy: null } })).body).toMatchObject({ proxy: null });
      const direct = await api('DELETE', '/agents/calls/ac_done');
      expect(direct.status).toBe(200);
      expect(direct.body.redacted_at).toEqual(expect.any(String));
      expect(sim.control.requests().log.at(-1)).toMatchObject({ answeredBy: 'simulator', status: 200 });
    });
  }
});

describe('400s a client tells apart only by error_code (or by GET-ing the call)', () => {
  it('missing or unsupported Cartesia-Version: 400 invalid_version; bad params: invalid_request; not terminal: null by default', async () => {
    const { sim, api } = await withCompletedCall();
    sim.control.seedCalls([
      { id: 'ac_created', status: 'created' },
      { id: 'ac_started', status: 'started' },
    ]);
    const missing = await api('DELETE', '/agents/calls/ac_done', { authorization: `Bearer ${CARTESIA_KEY}` });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual(cartesiaError('invalid_version'));
    const unsupported = await api('DELETE', '/agents/calls/ac_done', { authorization: `Bearer ${CARTESIA_KEY}`, 'cartesia-version': '2025-04-16' });
    expect(unsupported.status).toBe(400);
    expect(unsupported.body).toEqual(cartesiaError('invalid_version'));

    const badParams = await api('GET', '/agents/calls?agent_id=agent_a&limit=500');
    expect(badParams.status).toBe(400);
    expect(badParams.body).toEqual(cartesiaError('invalid_request'));

    for (const id of ['ac_created', 'ac_started']) {
      const notTerminal = await api('DELETE', `/agents/calls/${id}`);
      expect(notTerminal.status).toBe(400);
      expect(notTerminal.body).toEqual(cartesiaError(null, /Only completed or failed calls can be deleted/));
    }
    // Nothing was deleted by any of these.
    expect(sim.control.deleted().calls).toEqual([]);
    expect(sim.control.call('ac_done').redacted_at).toBeNull();

    sim.control.updateSettings({ notTerminalErrorCode: 'call_not_terminal' });
    const coded = await api('DELETE', '/agents/calls/ac_started');
    expect(coded.status).toBe(400);
    expect(coded.body).toEqual(cartesiaError('call_not_terminal'));
    // GET tells it too: the call is not terminal.
    expect((await api('GET', '/agents/calls/ac_started')).body).toMatchObject({ status: 'started', redacted_at: null });
  });
});

describe('cancel readings', () => {
  it('cancelAnswer false: 200 {"cancelled":false}, and the call goes on (still started, still not deletable)', async () => {
    const clock = createManualClock();
    const { sim, baseUrl } = await pool.cartesia({ clock, settings: { cancelAnswer: 'false' } });
    sim.control.seedCalls([{ id: 'ac_live', status: 'started' }]);
    const cancel = await call('POST', `${baseUrl}/agents/calls/ac_live/cancel`, { headers: CARTESIA_HEADERS });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toEqual({ cancelled: false });
    clock.advance(3_600_000);
    expect((await call('GET', `${baseUrl}/agents/calls/ac_live`, { headers: CARTESIA_HEADERS })).body).toMatchObject({ status: 'started', end_reason: null });
    expect((await call('DELETE', `${baseUrl}/agents/calls/ac_live`, { headers: CARTESIA_HEADERS })).status).toBe(400);
    expect(sim.control.report()).toMatchObject({ cancelled: [], cancelNotHonoured: [{ callId: 'ac_live', at: expect.any(String) }], deleted: { calls: [] } });
  });

  it('cancelDelayMs: after {"cancelled":true} the call stays started (DELETE 400) for that long, then ends api_cancelled and deletes', async () => {
    const clock = createManualClock();
    const { sim, baseUrl } = await pool.cartesia({ clock, settings: { cancelDelayMs: 30_000 } });
    sim.control.seedCalls([{ id: 'ac_live', status: 'started' }]);
    const del = () => call('DELETE', `${baseUrl}/agents/calls/ac_live`, { headers: CARTESIA_HEADERS });
    expect((await call('POST', `${baseUrl}/agents/calls/ac_live/cancel`, { headers: CARTESIA_HEADERS })).body).toEqual({ cancelled: true });
    clock.advance(29_999);
    expect((await del()).status).toBe(400);
    expect(sim.control.call('ac_live').status).toBe('started');
    clock.advance(1);
    const deleted = await del();
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ status: 'completed', end_reason: 'api_cancelled', redacted_at: new Date(clock.now()).toISOString() });
    expect(sim.control.report().cancelled).toEqual([{ callId: 'ac_live', at: new Date(clock.now() - 30_000).toISOString() }]);
  });
});

describe('what a deleted call looks like, and the DELETE answer readings', () => {
  it('GET (and list with expand=transcript) of a deleted call shows redacted_at and omits the deleted fields; with redactedFields null they are null', async () => {
    const { sim, api } = await withCompletedCall();
    const deleted = await api('DELETE', '/agents/calls/ac_done');
    expect(deleted.status).toBe(200);
    const got = await api('GET', '/agents/calls/ac_done');
    expect(got.body.redacted_at).toBe(deleted.body.redacted_at);
    for (const key of ['transcript', 'summary', 'metadata', 'error_message']) expect(got.body).not.toHaveProperty(key);
    expect(got.body.telephony_params).toEqual({ call_sid: 'CA1', direction: 'inbound', connection_type: 'phone' });
    const listed = await api('GET', '/agents/calls?agent_id=agent_a&expand=transcript');
    expect(listed.body.data[0]).not.toHaveProperty('transcript');
    expect(listed.body.data[0].redacted_at).toBe(deleted.body.redacted_at);

    sim.control.updateSettings({ redactedFields: 'null' });
    const nulled = await api('GET', '/agents/calls/ac_done');
    expect(nulled.body).toMatchObject({ transcript: null, summary: null, metadata: null, error_message: null, redacted_at: deleted.body.redacted_at });
    expect(nulled.body.telephony_params).toMatchObject({ from: null, to: null });
  });

  it('deleteAnswer empty: 200 {} and the data is deleted (GET shows redacted_at)', async () => {
    const { sim, api } = await withCompletedCall({ deleteAnswer: 'empty' });
    const answer = await api('DELETE', '/agents/calls/ac_done');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({});
    const got = await api('GET', '/agents/calls/ac_done');
    expect(got.body.redacted_at).toEqual(expect.any(String));
    expect(got.body).not.toHaveProperty('transcript');
    expect(sim.control.deleted().calls.map((d) => d.callId)).toEqual(['ac_done']);
    expect((await api('DELETE', '/agents/calls/ac_done')).body).toEqual({}); // idempotent, same answer
  });

  it('deleteAnswer no-redacted-at: 200 with the call but no redacted_at, and the data really stays', async () => {
    const { sim, api } = await withCompletedCall({ deleteAnswer: 'no-redacted-at' });
    const answer = await api('DELETE', '/agents/calls/ac_done');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: 'ac_done', status: 'completed', transcript: TRANSCRIPT, summary: 'Account question.' });
    expect(answer.body).not.toHaveProperty('redacted_at');
    const got = await api('GET', '/agents/calls/ac_done');
    expect(got.body).toMatchObject({ redacted_at: null, transcript: TRANSCRIPT, metadata: { customer: 'jane@example.com' } });
    expect(got.body.telephony_params).toMatchObject({ from: '+14155550123' });
    expect(sim.control.deleted().calls).toEqual([]);
    expect(sim.control.report().deleteNotApplied).toEqual([{ callId: 'ac_done', at: expect.any(String) }]);

    // Back to the documented answer, the same DELETE really deletes.
    sim.control.updateSettings({ deleteAnswer: 'call' });
    expect((await api('DELETE', '/agents/calls/ac_done')).body.redacted_at).toEqual(expect.any(String));
    expect(sim.control.deleted().calls.map((d) => d.callId)).toEqual(['ac_done']);
  });
});

describe('listing an agent’s calls (discovery by phone number)', () => {
  it('unknownAgent empty (default): a typo and an agent without calls look the same, {"data":[],"next_page":null}', async () => {
    const { sim, api } = await withCompletedCall();
    sim.control.seedAgents(['agent_quiet']);
    for (const agent of ['agent_typo', 'agent_quiet']) {
      const answer = await api('GET', `/agents/calls?agent_id=${agent}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ data: [], next_page: null });
    }
  });

  it('unknownAgent 404: a typo answers Cartesia’s 404, an agent known without calls answers an empty page', async () => {
    const { sim, baseUrl, api } = await withCompletedCall({ unknownAgent: '404' });
    const typo = await api('GET', '/agents/calls?agent_id=agent_typo');
    expect(typo.status).toBe(404);
    expect(typo.body).toEqual(cartesiaError('not_found', 'Agent not found.'));
    const added = await call('POST', `${baseUrl}/_sim/agents`, { json: { agents: ['agent_quiet'] } });
    expect(added.status).toBe(201);
    expect(added.body.agents.sort()).toEqual(['agent_a', 'agent_quiet']);
    expect((await api('GET', '/agents/calls?agent_id=agent_quiet')).body).toEqual({ data: [], next_page: null });
    expect((await api('GET', '/agents/calls?agent_id=agent_a')).body.data.map((c: { id: string }) => c.id)).toEqual(['ac_done']);
    expect(sim.control.agents().sort()).toEqual(['agent_a', 'agent_quiet']);
  });

  it('pages newest first with next_page as the starting_after cursor until null; calls carry telephony_params and metadata', async () => {
    const { sim, baseUrl } = await pool.cartesia();
    const seeded = Array.from({ length: 23 }, (_, i) => ({
      id: `ac_${String(i).padStart(3, '0')}`,
      agent_id: i % 3 === 0 ? 'agent_b' : 'agent_a',
      status: 'completed' as const,
      start_time: new Date(Date.parse('2026-03-01T00:00:00Z') + i * 3_600_000).toISOString(),
      telephony_params: { from: i % 2 === 0 ? '+14155550123' : '+1 415 555 0199', to: '+14155550100', direction: 'inbound', connection_type: 'phone' },
      metadata: { ticket: `T-${i}` },
    }));
    sim.control.seedCalls(seeded);
    const seen: { id: string; start_time: string; telephony_params: { from: string }; metadata: { ticket: string } }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `agent_id=agent_a&limit=4${cursor === null ? '' : `&starting_after=${cursor}`}`;
      const page = await call('GET', `${baseUrl}/agents/calls?${query}`, { headers: CARTESIA_HEADERS });
      expect(page.status).toBe(200);
      expect(page.body.data.length).toBeLessThanOrEqual(4);
      seen.push(...page.body.data);
      cursor = page.body.next_page;
      if (cursor !== null) expect(cursor).toBe(page.body.data.at(-1).id);
      pages++;
    } while (cursor !== null && pages < 20);
    const expected = seeded.filter((c) => c.agent_id === 'agent_a').reverse();
    expect(seen.map((c) => c.id)).toEqual(expected.map((c) => c.id));
    expect(pages).toBe(Math.ceil(expected.length / 4));
    expect(seen[0]?.telephony_params.from).toBe(expected[0]?.telephony_params.from);
    expect(seen.every((c, i) => c.metadata.ticket === expected[i]?.metadata.ticket)).toBe(true);
    expect(seen.filter((c) => c.telephony_params.from.replace(/\D/g, '') === '14155550123')).toHaveLength(expected.filter((c) => c.telephony_params.from === '+14155550123').length);
  });
});
