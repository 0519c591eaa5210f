// Evidence tokens verify with a standard JOSE library against the published JWKS, outside gateway code.
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, compactVerify, createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwksDocument } from '../../src/evidence/jwks.ts';
import { signCompactJws } from '../../src/evidence/jws.ts';
import { ephemeralSigningKey, jwkThumbprint, loadEvidenceSigningKey, loadPreviousEvidenceKeys, signingKeyFromPem, SigningKeyError } from '../../src/evidence/signing-key.ts';

const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

describe('evidence signing', () => {
  it('signs a compact JWS that jose verifies against the JWKS', async () => {
    const key = signingKeyFromPem(pem, 'evidence-2026');
    const jws = signCompactJws(key, { iss: 'erasure-gateway', sub: 'req-1', iat: 1767225600, final: true });
    const jwks = createLocalJWKSet(jwksDocument(key));

    const { payload, protectedHeader } = await jwtVerify(jws, jwks, { issuer: 'erasure-gateway', typ: 'erasure-evidence+jwt', algorithms: ['EdDSA'] });
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: 'evidence-2026', typ: 'erasure-evidence+jwt' });
    expect(payload).toMatchObject({ sub: 'req-1', final: true });

    const raw = await compactVerify(jws, jwks);
    expect(JSON.parse(new TextDecoder().decode(raw.payload))).toMatchObject({ sub: 'req-1' });
  });

  it('publishes the public key only, as an OKP Ed25519 JWK', () => {
    const key = signingKeyFromPem(pem, 'k1');
    const doc = jwksDocument(key);
    expect(doc.keys).toHaveLength(1);
    expect(doc.keys[0]).toEqual({ kty: 'OKP', crv: 'Ed25519', x: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), kid: 'k1', alg: 'EdDSA', use: 'sig' });
    expect(JSON.stringify(doc)).not.toContain('"d"');
  });

  it('names the key by its RFC 7638 thumbprint when no keyId is configured', async () => {
    const key = signingKeyFromPem(pem);
    expect(key.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x }));
    expect(decodeProtectedHeader(signCompactJws(key, { a: 1 })).kid).toBe(key.kid);
  });

  it('gives the same token for the same document, whatever the key order', () => {
    const key = signingKeyFromPem(pem);
    expect(signCompactJws(key, { b: 2, a: { d: 1, c: [1, 2] } })).toBe(signCompactJws(key, { a: { c: [1, 2], d: 1 }, b: 2 }));
  });

  it('refuses a key that is not Ed25519, without echoing the key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(() => signingKeyFromPem(rsa)).toThrow(SigningKeyError);
    expect(() => signingKeyFromPem(rsa)).toThrow(/Ed25519/);
    try {
      signingKeyFromPem('-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toBe('evidence.signingKey: not a PEM private key');
    }
  });

  it('uses the configured key, or an ephemeral one when none is configured', async () => {
    const configured = loadEvidenceSigningKey({ file: { evidence: { keyId: 'prod-1' } }, secrets: new Map([['evidence.signingKey', pem]]) });
    expect(configured).toMatchObject({ kid: 'prod-1', ephemeral: false });
    const sandbox = loadEvidenceSigningKey({ file: {}, secrets: new Map() });
    expect(sandbox.ephemeral).toBe(true);
    const other = ephemeralSigningKey();
    // A token from one key does not verify against another key's JWKS.
    await expect(compactVerify(signCompactJws(sandbox, { a: 1 }), createLocalJWKSet(jwksDocument(other)))).rejects.toThrow();
  });

  it('publishes retired keys from evidence.previousKeys, public or private PEMs, and names a bad one', () => {
    const retired = signingKeyFromPem(pem, 'evidence-2025');
    const publicPem = createPublicKey(pem).export({ format: 'pem', type: 'spki' }).toString();
    const keys = loadPreviousEvidenceKeys({
      file: { evidence: { previousKeys: [{ keyId: 'evidence-2025' }, {}] } },
      secrets: new Map([['evidence.previousKeys.0.key', publicPem], ['evidence.previousKeys.1.key', pem]]),
    });
    expect(keys).toEqual([retired.publicJwk, { ...retired.publicJwk, kid: jwkThumbprint('Ed25519', retired.publicJwk.x) }]);
    const current = signingKeyFromPem(generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'evidence-2026');
    expect(jwksDocument(current, keys.slice(0, 1)).keys.map((k) => k.kid)).toEqual(['evidence-2026', 'evidence-2025']);
    expect(JSON.stringify(jwksDocument(current, keys))).not.toContain('"d"');
    expect(() => loadPreviousEvidenceKeys({ file: { evidence: { previousKeys: [{}] } }, secrets: new Map([['evidence.previousKeys.0.key', 'nonsense']]) })).toThrow(
      'evidence.previousKeys.0.key: not a PEM key',
    );
  });
});
