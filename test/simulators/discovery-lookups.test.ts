// What a discovering client needs beyond listing: Cartesia's GET /agents/{agent_id} (to tell an unknown
// agent from one without calls) in both readings, and the Kore.ai simulator's record of the getSessions
// windows it was asked for.
import { afterEach, describe, expect, it } from 'vitest';
import { BOT, CARTESIA_HEADERS, call, koreaiAuth, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

describe('Cartesia GET /agents/{agent_id}', () => {
  it('answers an AgentSummary for a known agent (seeded call or seedAgents) and 404 not_found for an unknown one', async () => {
    const { sim, baseUrl } = await pool.cartesia();
    sim.control.seedCalls([{ id: 'ac_1', agent_id: 'agent_with_calls', status: 'completed' }]);
    sim.control.seedAgents(['agent_without_calls']);
    for (const id of ['agent_with_calls', 'agent_without_calls']) {
      const known = await call('GET', `${baseUrl}/agents/${id}`, { headers: CARTESIA_HEADERS });
      expect(known.status).toBe(200);
      expect(known.body).toMatchObject({ id, deleted_at: null });
    }
    const unknown = await call('GET', `${baseUrl}/agents/agent_typo`, { headers: CARTESIA_HEADERS });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ error_code: 'not_found', message: 'Agent not found.' });
    expect(sim.control.requests().counts['cartesia.agents.get']).toMatchObject({ received: 3, byStatus: { '200': 2, '404': 1 } });
    // The list still answers an unknown agent with an empty page (unknownAgent: 'empty'): only the lookup tells.
    const list = await call('GET', `${baseUrl}/agents/calls?agent_id=agent_typo`, { headers: CARTESIA_HEADERS });
    expect(list.body).toEqual({ data: [], next_page: null });
  });

  it('needs the API key and version like every API route', async () => {
    const { baseUrl } = await pool.cartesia();
    expect((await call('GET', `${baseUrl}/agents/agent_x`)).status).toBe(401);
    expect((await call('GET', `${baseUrl}/agents/agent_x`, { headers: { authorization: CARTESIA_HEADERS.authorization } })).body).toMatchObject({ error_code: 'invalid_version' });
  });

  it("agentLookup 'route-missing': answered as a path that is no route, known agent or not", async () => {
    const { sim, baseUrl } = await pool.cartesia({ settings: { agentLookup: 'route-missing' } });
    sim.control.seedAgents(['agent_known']);
    const known = await call('GET', `${baseUrl}/agents/agent_known`, { headers: CARTESIA_HEADERS });
    expect(known.status).toBe(404);
    expect(known.body).toEqual({ detail: 'Not Found' });
    sim.control.updateSettings({ routeNotFoundBody: 'cartesia-json' });
    const cartesiaShaped = await call('GET', `${baseUrl}/agents/agent_known`, { headers: CARTESIA_HEADERS });
    expect(cartesiaShaped.body).toMatchObject({ error_code: 'not_found', message: 'No such route.' });
  });
});

describe('Kore.ai getSessions queries are recorded', () => {
  it('keeps each window and page asked for, refused ones too, without the user id', async () => {
    const { sim, bot } = await pool.koreai();
    const headers = await koreaiAuth();
    const ok = await call('POST', `${bot}/getSessions`, {
      headers,
      json: { userId: 'jane@example.com', dateFrom: '2026-05-01T00:00:00.000Z', dateTo: '2026-05-08T00:00:00.000Z', skip: 0, limit: 100 },
    });
    expect(ok.status).toBe(200);
    const wide = await call('POST', `${bot}/getSessions`, { headers, json: { userId: 'jane@example.com', dateFrom: '2026-05-01', dateTo: '2026-05-09' } });
    expect(wide.status).toBe(400);
    const queries = sim.control.sessionQueries();
    expect(queries).toEqual([
      expect.objectContaining({ botId: BOT.botId, userIdGiven: true, dateFrom: '2026-05-01T00:00:00.000Z', dateTo: '2026-05-08T00:00:00.000Z', windowMs: 7 * 86_400_000, skip: 0, limit: 100, status: 200 }),
      expect.objectContaining({ dateFrom: '2026-05-01T00:00:00.000Z', dateTo: '2026-05-09T23:59:59.999Z', status: 400 }),
    ]);
    expect(JSON.stringify(queries)).not.toContain('jane');
    sim.control.reset();
    expect(sim.control.sessionQueries()).toEqual([]);
  });
});
