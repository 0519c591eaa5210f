import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultPlan } from '../../src/simulators/faults.ts';
import { BOT, CARTESIA_HEADERS, call, koreaiAuth, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const MIXED: FaultPlan = { seed: 42, routes: { 'cartesia.calls.get': { errorRate: 0.2, rateLimitRate: 0.15, dropRate: 0.1, hangRate: 0.05 } } };

/** What a client sees for one request: the status, or how it failed without one. */
async function outcome(url: string, headers: Record<string, string>): Promise<string> {
  try {
    return String((await call('GET', url, { headers, timeoutMs: 250 })).status);
  } catch (error) {
    return (error as Error).name === 'TimeoutError' ? 'hang' : 'drop';
  }
}

async function runSequence(plan: FaultPlan, interleaveOtherRoute: boolean): Promise<{ seen: string[]; logged: (string | null)[] }> {
  const { sim, baseUrl } = await pool.cartesia({ faults: plan });
  sim.control.seedCalls([{ id: 'ac_1', status: 'completed' }]);
  const seen: string[] = [];
  for (let i = 0; i < 40; i++) {
    seen.push(await outcome(`${baseUrl}/agents/calls/ac_1`, CARTESIA_HEADERS));
    if (interleaveOtherRoute) await outcome(`${baseUrl}/agents/calls?agent_id=agent_demo`, CARTESIA_HEADERS);
  }
  const logged = sim.control.requests().log.filter((entry) => entry.route === 'cartesia.calls.get').map((entry) => entry.fault);
  await sim.close();
  return { seen, logged };
}

describe('fault injection', () => {
  it('same seed, same faults, same requests: the same fault sequence — even with other routes’ traffic in between', async () => {
    const first = await runSequence(MIXED, false);
    const second = await runSequence(MIXED, true);
    expect(second.seen).toEqual(first.seen);
    expect(second.logged).toEqual(first.logged);
    // the sequence really mixes outcomes
    expect(new Set(first.seen)).toEqual(new Set(['200', '500', '429', 'drop', 'hang']));
    expect(first.logged.filter((fault) => fault === null)).toHaveLength(first.seen.filter((s) => s === '200').length);

    const otherSeed = await runSequence({ ...MIXED, seed: 43 }, false);
    expect(otherSeed.seen).not.toEqual(first.seen);
  });

  it('answers injected 5xx and 429 in each vendor’s error shape, and counts them', async () => {
    const { sim: kore, bot } = await pool.koreai({ faults: { routes: { 'koreai.recordings.get': { errorRate: 1, errorStatus: 503 } } } });
    const koreAnswer = await call('GET', `${bot}/v2/recordings?sessionId=s`, { headers: await koreaiAuth() });
    expect(koreAnswer.status).toBe(503);
    expect(koreAnswer.body).toEqual({ errors: [{ msg: expect.any(String), code: 503 }] });
    kore.control.setFaults({ routes: { '*': { rateLimitRate: 1 } } });
    const koreLimited = await call('GET', `${bot}/v2/recordings?sessionId=s`, { headers: await koreaiAuth() });
    expect(koreLimited.status).toBe(429);
    expect(koreLimited.body).toEqual({ errors: [{ msg: 'Rate limit for this API has been reached. Please try again after some time.', code: 429 }] });
    expect(kore.control.report().faultsInjected).toEqual({ 'koreai.recordings.get': { error: 1, rate_limit: 1 } });

    const { sim: cartesia, baseUrl } = await pool.cartesia({
      faults: { routes: { '*': { rateLimitRate: 1 } } },
      settings: { retryAfterMs: 250, retryAfterSeconds: 1 },
    });
    const limited = await call('GET', `${baseUrl}/agents/calls/ac_x`, { headers: CARTESIA_HEADERS });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error_code: 'concurrency_limited', request_id: expect.any(String) });
    expect(limited.headers).toMatchObject({ 'retry-after-ms': '250', 'retry-after': '1' });
    expect(cartesia.control.report()).toMatchObject({ tooManyRequests: 1, concurrencyLimited: 0 });
  });

  it('an `after` fault loses the answer but not the effect: the Kore job was queued anyway', async () => {
    const { sim, bot } = await pool.koreai({ faults: { routes: { 'koreai.conversations.delete': { dropRate: 1, phase: 'after' } } } });
    sim.control.seedConversations(BOT.botId, [{ id: 'c-1' }]);
    await expect(call('POST', `${bot}/conversations/delete`, { headers: await koreaiAuth(), json: { conversationIds: ['c-1'] } })).rejects.toThrow();
    expect(sim.control.botState(BOT.botId).jobs).toHaveLength(1);
    expect(sim.control.requests().log).toMatchObject([{ route: 'koreai.conversations.delete', fault: 'drop', status: null }]);
  });

  it('adds latency, and close() returns promptly while a request hangs', async () => {
    const { sim, baseUrl } = await pool.cartesia({
      faults: { routes: { 'cartesia.calls.get': { latencyMs: { min: 120, max: 150 } }, 'cartesia.calls.delete': { hangRate: 1 } } },
    });
    sim.control.seedCalls([{ id: 'ac_1', status: 'completed' }]);
    const started = performance.now();
    expect((await call('GET', `${baseUrl}/agents/calls/ac_1`, { headers: CARTESIA_HEADERS })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);

    const hanging = call('DELETE', `${baseUrl}/agents/calls/ac_1`, { headers: CARTESIA_HEADERS, timeoutMs: 30_000 }).then(
      () => 'answered',
      () => 'cut off',
    );
    while (sim.control.report().inFlight === 0) await sleep(5);
    expect(sim.control.report().faultsInjected).toEqual({ 'cartesia.calls.delete': { hang: 1 } });
    await sim.close();
    expect(await hanging).toBe('cut off');
    expect(sim.control.deleted().calls).toEqual([]);
  });
});

describe('Cartesia concurrency limit', () => {
  it('answers 429 concurrency_limited beyond the limit, counts every 429 and the highest concurrency seen', async () => {
    const { sim, baseUrl } = await pool.cartesia({
      settings: { concurrencyLimit: 3, retryAfterMs: 100 },
      faults: { routes: { 'cartesia.calls.get': { latencyMs: 300 } } },
    });
    sim.control.seedCalls([{ id: 'ac_1', status: 'completed' }]);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => call('GET', `${baseUrl}/agents/calls/ac_1`, { headers: CARTESIA_HEADERS })),
    );
    const limited = answers.filter((answer) => answer.status === 429);
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3);
    expect(limited).toHaveLength(3);
    for (const answer of limited) {
      expect(answer.body).toMatchObject({ error_code: 'concurrency_limited', title: 'Too many concurrent requests' });
      expect(answer.headers['retry-after-ms']).toBe('100');
      expect(answer.headers['retry-after']).toBeUndefined();
    }
    const report = sim.control.report();
    expect(report).toMatchObject({ tooManyRequests: 3, concurrencyLimited: 3, inFlight: 0 });
    // refused requests count while open too, so the peak is above the limit (how far depends on timing)
    expect(report.maxConcurrency).toBeGreaterThan(3);
    expect(report.maxConcurrency).toBeLessThanOrEqual(6);
  });
});
