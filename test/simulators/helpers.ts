import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { request } from 'undici';
import { createCartesiaSimulator, type CartesiaSimulator, type CartesiaSimulatorOptions } from '../../src/simulators/cartesia/simulator.ts';
import { createKoreaiSimulator, type KoreaiSimulator, type KoreaiSimulatorOptions } from '../../src/simulators/koreai/simulator.ts';

export const BOT = { botId: 'st-11111111-2222-4333-8444-555555555555', clientId: 'cs-aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee', clientSecret: 'kore-test-secret' };
export const CARTESIA_KEY = 'sk_car_test_0123456789';
export const CARTESIA_HEADERS = { authorization: `Bearer ${CARTESIA_KEY}`, 'cartesia-version': '2026-03-01' };

export type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: any };

/** One real HTTP request over loopback; parses JSON answers. Rejects with a `TimeoutError` when no answer comes in time. */
export async function call(
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH',
  url: string,
  options: { headers?: Record<string, string>; json?: unknown; body?: string; timeoutMs?: number } = {},
): Promise<Answer> {
  const headers = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  // An AbortSignal gives up on time; undici's own header timeout only fires with ~1 s granularity.
  const answer = await request(url, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  const text = await answer.body.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: answer.statusCode, headers: answer.headers, body: parsed };
}

/** A Kore.ai JWT minted with jose (an implementation independent of the simulator's). */
export async function koreaiJwt(
  options: { secret?: string; appId?: string; jti?: string; iat?: number; exp?: number; alg?: 'HS256' | 'HS384' } = {},
): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ appId: options.appId ?? BOT.clientId, sub: 'erasure-gateway-test' })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setIssuedAt(iat);
  if (options.exp !== undefined) jwt.setExpirationTime(options.exp);
  if (options.jti !== undefined) jwt.setJti(options.jti);
  return jwt.sign(new TextEncoder().encode(options.secret ?? BOT.clientSecret));
}

/** `auth` header with a fresh JTI and a 1-hour lifetime: valid whether or not the bot enforces JTI. */
export async function koreaiAuth(nowMs: number = Date.now()): Promise<Record<string, string>> {
  const iat = Math.floor(nowMs / 1000);
  return { auth: await koreaiJwt({ iat, exp: iat + 3600, jti: randomUUID() }) };
}

export const koreaiBase = (baseUrl: string, prefix: '/api/public' | '/api/1.1/public' = '/api/public') => `${baseUrl}${prefix}/bot/${BOT.botId}`;

/** Tracks simulators a test started so `closeAll` can stop them in afterEach. */
export function simulatorPool() {
  const open: { close(): Promise<void> }[] = [];
  return {
    async koreai(options: KoreaiSimulatorOptions = {}): Promise<{ sim: KoreaiSimulator; baseUrl: string; bot: string }> {
      const sim = createKoreaiSimulator({ bots: [BOT], ...options });
      open.push(sim);
      const baseUrl = await sim.listen(0);
      return { sim, baseUrl, bot: koreaiBase(baseUrl) };
    },
    async cartesia(options: Partial<CartesiaSimulatorOptions> = {}): Promise<{ sim: CartesiaSimulator; baseUrl: string }> {
      const sim = createCartesiaSimulator({ apiKey: CARTESIA_KEY, ...options });
      open.push(sim);
      return { sim, baseUrl: await sim.listen(0) };
    },
    async closeAll() {
      await Promise.all(open.splice(0).map((sim) => sim.close()));
    },
  };
}
