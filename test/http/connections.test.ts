// GET /v1/connections and POST /v1/connections/{name}/check against simulators set up for each result,
// for both vendors: a good setup (ok), a bad key (auth_failed), an HTML proxy, a wrong path prefix or a
// wrong Cartesia-Version (unexpected_answer), a closed port (unreachable). The check is paced like every
// other call on its connection.
import { createServer } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import { createCartesiaSimulator, createKoreaiSimulator, type CartesiaSimulator, type KoreaiSimulator } from '../../src/simulators/index.ts';
import { BOT, cartesiaTestConnection, koreTestConnection, SECRET_ENV, startSimulators, type Simulators } from '../engine/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, expectProblem, KEYS, PROBLEM, TEST_SECRETS_ENV, testConfigFile, type TestApp } from './harness.ts';

let database: TestDatabase;
let sims: Simulators;
/** nginx-style pages in front of the vendor: whatever the path, HTML with this status. */
let proxies: Record<'html404' | 'html200' | 'html502', { sim: CartesiaSimulator; url: string }>;
let closedUrl: string;
/** A bot whose budget another client has all but spent: one call a minute, then the generic limit text, as plain text with HTTP 200. */
let limitedKore: KoreaiSimulator;
let limitedKoreUrl: string;
let t: TestApp;

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function config(): GatewayConfig {
  const kore = (name: string, baseUrl: string, over = {}) => koreTestConnection(name, baseUrl, { requestTimeoutMs: 1000, ...over });
  const cartesia = (name: string, baseUrl: string, over = {}) => cartesiaTestConnection(name, baseUrl, { requestTimeoutMs: 1000, ...over });
  const raw = testConfigFile({
    connections: [
      kore('kore-good', sims.koreUrl),
      kore('kore-bad-key', sims.koreUrl, { clientSecret: { env: 'WRONG_SECRET' } }),
      kore('kore-html-proxy', proxies.html404.url),
      kore('kore-html-sign-in', proxies.html200.url),
      kore('kore-wrong-prefix', sims.koreUrl, { pathPrefix: '/api/v9/bots' }),
      kore('kore-closed', closedUrl),
      kore('kore-paced', sims.koreUrl, { limits: { windows: [{ max: 1, seconds: 60 }], concurrency: 1 } }),
      kore('kore-limited', limitedKoreUrl),
      cartesia('cartesia-good', sims.cartesiaUrl),
      cartesia('cartesia-bad-key', sims.cartesiaUrl, { apiKey: { env: 'WRONG_SECRET' } }),
      cartesia('cartesia-html-proxy', proxies.html404.url),
      cartesia('cartesia-html-sign-in', proxies.html200.url),
      cartesia('cartesia-html-502', proxies.html502.url),
      cartesia('cartesia-wrong-path', `${sims.cartesiaUrl}/v1`),
      cartesia('cartesia-bad-version', sims.cartesiaUrl, { apiVersion: '2025-11-04' }),
      cartesia('cartesia-closed', closedUrl),
    ],
  });
  const { file, secrets } = parseConfigFile(raw, { ...TEST_SECRETS_ENV, ...SECRET_ENV, WRONG_SECRET: 'not-the-secret' }, () => {
    throw new Error('no files in tests');
  });
  return { env: parseEnvironment({ LOG_LEVEL: 'silent' }), sandbox: false, file, secrets };
}

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
  const page = async (proxy: 'html404' | 'html200' | 'html502') => {
    const sim = createCartesiaSimulator({ apiKey: 'unused', settings: { proxy } });
    return { sim, url: await sim.listen() };
  };
  proxies = { html404: await page('html404'), html200: await page('html200'), html502: await page('html502') };
  closedUrl = `http://127.0.0.1:${await closedPort()}`;
  limitedKore = createKoreaiSimulator({
    bots: [BOT],
    rateLimits: { perMinute: { max: 1, windowMs: 60_000 } },
    settings: { rateLimitBodyShape: 'text', rateLimitMessage: 'generic', rateLimitHttpStatus: 200 },
  });
  limitedKoreUrl = await limitedKore.listen();
  t = await buildTestApp(database, { config: config(), clock: systemClock });
});

afterAll(async () => {
  await t?.close();
  await Promise.all(Object.values(proxies ?? {}).map((p) => p.sim.close()));
  await limitedKore?.close();
  await sims?.close();
  await database?.close();
});

const check = (name: string, key: string = KEYS.writer) => t.app.inject({ method: 'POST', url: `/v1/connections/${name}/check`, headers: bearer(key) });

describe('POST /v1/connections/{name}/check', () => {
  it.each([
    ['kore-good', 'ok', 404, 'job_not_found'],
    ['kore-bad-key', 'auth_failed', 401, 'http_401'],
    ['kore-html-proxy', 'unexpected_answer', 404, 'not_json'],
    ['kore-html-sign-in', 'unexpected_answer', 200, 'not_json'],
    ['kore-wrong-prefix', 'unexpected_answer', 404, 'not_found_not_the_job'],
    ['kore-closed', 'unreachable', null, 'connection'],
    ['cartesia-good', 'ok', 404, 'call_not_found'],
    ['cartesia-bad-key', 'auth_failed', 401, 'invalid_api_key'],
    ['cartesia-html-proxy', 'unexpected_answer', 404, 'not_json'],
    ['cartesia-html-sign-in', 'unexpected_answer', 200, 'not_json'],
    ['cartesia-html-502', 'unreachable', 502, 'http_502'],
    ['cartesia-wrong-path', 'unexpected_answer', 404, 'not_cartesia_shape'],
    ['cartesia-bad-version', 'unexpected_answer', 400, 'invalid_version'],
    ['cartesia-closed', 'unreachable', null, 'connection'],
  ] as const)('%s → %s (HTTP %s, %s)', async (name, result, httpStatus, code) => {
    const res = await check(name);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      connection: name,
      result,
      httpStatus,
      code,
      latencyMs: expect.any(Number),
      checkedAt: expect.any(String),
      checkedBy: 'api-key:portal',
      blocked: result === 'auth_failed' || result === 'unexpected_answer',
    });
    // Kept as the connection's last check.
    const row = await database.db.selectFrom('connection_check').selectAll().where('connection', '=', name).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ result, http_status: httpStatus, code, checked_by: 'api-key:portal' });
  });

  it('makes one call, reading nobody\'s data: Kore.ai the status of a job that does not exist, Cartesia a call that does not exist', async () => {
    const koreBefore = sims.kore.control.requests().log.length;
    const cartesiaBefore = sims.cartesia.control.requests().log.length;
    await check('kore-good');
    await check('cartesia-good');
    const kore = sims.kore.control.requests().log.slice(koreBefore);
    const cartesia = sims.cartesia.control.requests().log.slice(cartesiaBefore);
    expect(kore.map((e) => [e.method, e.route, e.status])).toEqual([['GET', 'koreai.jobs.get', 404]]);
    expect(kore[0]!.url).toMatch(/\/api\/public\/bot\/st-engine-test\/conversations\/delete\/cdj-[0-9a-f-]{36}$/);
    expect(cartesia.map((e) => [e.method, e.route, e.status])).toEqual([['GET', 'cartesia.calls.get', 404]]);
    expect(cartesia[0]!.url).toMatch(/^\/agents\/calls\/ac_erasure_gateway_check_[0-9a-f]{32}$/);
    expect(sims.kore.control.deleted()).toMatchObject({ conversations: [], recordings: [] });
    expect(sims.cartesia.control.deleted().calls).toEqual([]);
  });

  it('takes a pacing permit like every other call on the connection, and answers 429 when no slot is free', async () => {
    const first = await check('kore-paced');
    expect(first.statusCode).toBe(200);
    const permits = await sql<{ task_id: string | null; holder: string; finished: boolean }>`
      select task_id, holder, finished_at is not null as finished from pacing_permit where connection = 'kore-paced'`.execute(database.db);
    expect(permits.rows).toEqual([{ task_id: null, holder: 'api-key:portal', finished: true }]);
    const calls = sims.kore.control.requests().log.length;
    // The window (1 per 60 s) is spent: nothing is sent, the caller is told when to come back.
    const second = await check('kore-paced');
    expect(second.statusCode).toBe(429);
    expect(expectProblem(second).type).toBe(PROBLEM('connection-busy'));
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(50);
    expect(sims.kore.control.requests().log.length).toBe(calls);
  });

  it('sends nothing while the connection is paused after a rate-limit answer', async () => {
    await sql`insert into connection_pacing (connection, paused_until, reason, updated_at)
      values ('cartesia-good', clock_timestamp() + interval '10 minutes', 'upstream_rate_limited', now())`.execute(database.db);
    const calls = sims.cartesia.control.requests().log.length;
    try {
      const res = await check('cartesia-good');
      expect(res.statusCode).toBe(429);
      expect(expectProblem(res).detail).toContain('paused');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(590);
      expect(sims.cartesia.control.requests().log.length).toBe(calls);
    } finally {
      await sql`delete from connection_pacing where connection = 'cartesia-good'`.execute(database.db);
    }
  });

  it('a rate-limit answer (the generic text, plain, HTTP 200) proves nothing: unreachable, rate_limited, not held', async () => {
    expect((await check('kore-limited')).json()).toMatchObject({ result: 'ok' });
    expect((await check('kore-limited')).json()).toMatchObject({ result: 'unreachable', httpStatus: 200, code: 'rate_limited', blocked: false });
  });

  it('an unknown connection is a 404 problem; the check needs erasure:write', async () => {
    const unknown = await check('no-such-connection');
    expect(unknown.statusCode).toBe(404);
    expect(expectProblem(unknown).type).toBe(PROBLEM('not-found'));
    const reader = await check('kore-good', KEYS.reader);
    expect(reader.statusCode).toBe(403);
    expect(expectProblem(reader).type).toBe(PROBLEM('forbidden'));
  });
});

describe('GET /v1/connections', () => {
  it('lists every connection with its type, limits and last check, never a credential', async () => {
    await check('kore-bad-key');
    await check('cartesia-good');
    const res = await t.app.inject({ method: 'GET', url: '/v1/connections', headers: bearer(KEYS.auditor) });
    expect(res.statusCode).toBe(200);
    const { data } = res.json() as { data: Array<Record<string, unknown>> };
    expect(data.map((c) => c.name)).toEqual(config().file.connections.map((c) => c.name));
    expect(data.find((c) => c.name === 'kore-bad-key')).toEqual({
      name: 'kore-bad-key',
      type: 'koreai',
      baseUrl: sims.koreUrl.replace(/\/$/, ''),
      botId: 'st-engine-test',
      apiVersion: null,
      limits: { windows: [], concurrency: 16 },
      lastCheck: { result: 'auth_failed', httpStatus: 401, code: 'http_401', latencyMs: expect.any(Number), checkedAt: expect.any(String), checkedBy: 'api-key:portal' },
      blocked: true,
      pausedUntil: null,
    });
    expect(data.find((c) => c.name === 'cartesia-good')).toMatchObject({ type: 'cartesia', apiVersion: '2026-03-01', botId: null, blocked: false, lastCheck: { result: 'ok' } });
    const text = res.body;
    for (const secret of [SECRET_ENV.ENGINE_KORE_SECRET, SECRET_ENV.ENGINE_CARTESIA_KEY, 'not-the-secret', 'cs-engine-test']) expect(text).not.toContain(secret);
  });

  it('answers erasure:read and audit:read keys, refuses a write-only key', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/v1/connections', headers: bearer(KEYS.reader) })).statusCode).toBe(200);
    const writeOnly = await t.app.inject({ method: 'GET', url: '/v1/connections', headers: bearer(KEYS.writeOnly) });
    expect(writeOnly.statusCode).toBe(403);
  });
});
