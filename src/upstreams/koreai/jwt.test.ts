import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { mintKoreaiJwt } from './jwt.ts';

const now = new Date('2026-03-01T12:00:00Z');

describe('mintKoreaiJwt', () => {
  it('signs {appId, sub, iat, exp, jti} with the client secret (HS256 by default)', async () => {
    const token = mintKoreaiJwt({ algorithm: 'HS256', clientId: 'cs-123', key: 'secret' }, now, 'j-1');
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode('secret'), { currentDate: now });
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload).toMatchObject({ appId: 'cs-123', jti: 'j-1', iat: now.getTime() / 1000 });
    expect(typeof payload.sub).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(3600);
  });

  it('supports HS512 and caps the lifetime at one hour', async () => {
    const token = mintKoreaiJwt({ algorithm: 'HS512', clientId: 'cs-1', key: 'k', ttlSeconds: 99_999 }, now, randomUUID());
    const { payload } = await jwtVerify(token, new TextEncoder().encode('k'), { currentDate: now, algorithms: ['HS512'] });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });

  it('signs RS256 and RS512 with a private key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const spki = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const alg of ['RS256', 'RS512'] as const) {
      const token = mintKoreaiJwt({ algorithm: alg, clientId: 'cs-9', key: pem }, now, 'j');
      expect(decodeProtectedHeader(token).alg).toBe(alg);
      const { payload } = await jwtVerify(token, await importSPKI(spki, alg), { currentDate: now });
      expect(payload.appId).toBe('cs-9');
    }
  });

  it('mints a different token per call (unique jti)', () => {
    const a = mintKoreaiJwt({ algorithm: 'HS256', clientId: 'c', key: 'k' }, now, randomUUID());
    const b = mintKoreaiJwt({ algorithm: 'HS256', clientId: 'c', key: 'k' }, now, randomUUID());
    expect(a).not.toBe(b);
    expect(decodeJwt(a).jti).not.toBe(decodeJwt(b).jti);
  });
});
