import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { BOT, call, koreaiJwt, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const refused = (msg: string | RegExp) => ({ errors: [{ msg: typeof msg === 'string' ? msg : expect.stringMatching(msg), code: 401 }] });

describe('Kore.ai JWT (header `auth`)', () => {
  it('accepts an HS256 token whose appId is the client id, under both path prefixes', async () => {
    const { baseUrl } = await pool.koreai();
    const auth = await koreaiJwt();
    for (const prefix of ['/api/public', '/api/1.1/public']) {
      const answer = await call('GET', `${baseUrl}${prefix}/bot/${BOT.botId}/v2/recordings?sessionId=x`, { headers: { auth } });
      expect(answer.status).toBe(200);
    }
  });

  it('refuses a missing token, a bad signature, a wrong appId, another algorithm and an expired token with 401 in Kore’s shape', async () => {
    const { sim, bot } = await pool.koreai();
    const url = `${bot}/v2/recordings?sessionId=x`;
    const now = Math.floor(Date.now() / 1000);
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /missing/],
      [{ authorization: `bearer ${await koreaiJwt()}` }, /missing/],
      [{ auth: await koreaiJwt({ secret: 'not-the-client-secret' }) }, /signature/],
      [{ auth: await koreaiJwt({ appId: 'cs-someone-else' }) }, /appId/],
      [{ auth: await koreaiJwt({ alg: 'HS384' }) }, /algorithm/],
      [{ auth: await koreaiJwt({ iat: now - 7200, exp: now - 3600 }) }, /expired/],
      [{ auth: 'not-a-jwt' }, /malformed/],
    ];
    for (const [headers, msg] of cases) {
      const answer = await call('GET', url, { headers });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(refused(msg));
    }
    // Refused requests do not spend the bot's rate-limit budget.
    expect(sim.control.report().requests['koreai.recordings.get']).toEqual({ received: cases.length, byStatus: { '401': cases.length } });
  });

  it('in enforce-JTI mode refuses a replayed jti with Kore’s replay message, and tokens without jti or living over 1 h', async () => {
    const { bot } = await pool.koreai({ bots: [{ ...BOT, enforceJti: true }] });
    const url = `${bot}/v2/recordings?sessionId=x`;
    const iat = Math.floor(Date.now() / 1000);
    const token = await koreaiJwt({ jti: randomUUID(), iat, exp: iat + 3600 });

    expect((await call('GET', url, { headers: { auth: token } })).status).toBe(200);
    const replay = await call('GET', url, { headers: { auth: token } });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ errors: [{ msg: 'error verifying the jwt: possibly a replay', code: 401 }] });

    const noJti = await call('GET', url, { headers: { auth: await koreaiJwt({ iat, exp: iat + 60 }) } });
    expect(noJti.status).toBe(401);
    const tooLong = await call('GET', url, { headers: { auth: await koreaiJwt({ jti: randomUUID(), iat, exp: iat + 3601 }) } });
    expect(tooLong.status).toBe(401);
    expect(tooLong.body).toEqual(refused(/1 hour/));
    const noExp = await call('GET', url, { headers: { auth: await koreaiJwt({ jti: randomUUID(), iat }) } });
    expect(noExp.status).toBe(401);
  });

  it('without enforce-JTI the same token may be reused', async () => {
    const { bot } = await pool.koreai();
    const auth = await koreaiJwt({ jti: 'same' });
    for (let i = 0; i < 3; i++) expect((await call('GET', `${bot}/v2/recordings?sessionId=x`, { headers: { auth } })).status).toBe(200);
  });

  it('answers an unknown bot with a Kore-shaped 404 before looking at the token', async () => {
    const { baseUrl } = await pool.koreai();
    const answer = await call('GET', `${baseUrl}/api/public/bot/st-unknown/v2/recordings?sessionId=x`, { headers: { auth: await koreaiJwt() } });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ errors: [{ msg: 'Bot not found', code: 404 }] });
  });
});
