import { describe, expect, it } from 'vitest';
import { jwksDocument } from './jwks.ts';
import { signCompactJws } from './jws.ts';
import { ephemeralSigningKey } from './signing-key.ts';
import { verifyEvidenceOffline } from './verify-evidence-offline.ts';

const key = ephemeralSigningKey('k-2026');
const payload = {
  schema: 'erasure-evidence/v1',
  iss: 'erasure-gateway',
  sub: '6f1c1c7e-5c9e-4d8e-9a61-5a4db0c0de01',
  jti: '7a2d2d8f-6d0f-4e9f-8b72-6b5ec1d1ef02',
  supersedes: null,
  iat: 1767225600,
  issuedAt: '2026-01-01T00:00:00.000Z',
  final: true,
  request: { id: '6f1c1c7e-5c9e-4d8e-9a61-5a4db0c0de01', status: 'completed', completedAt: '2026-01-01T00:00:00.000Z' },
  summary: { tasks: 1, byState: { succeeded: 1 } },
  tasks: [],
  chain: { throughSeq: 4, events: 4, headHash: 'a'.repeat(64) },
};
const jws = signCompactJws(key, payload);
const jwks = JSON.stringify(jwksDocument(key));

describe('verifyEvidenceOffline', () => {
  it('accepts the JSON answer and the bare JWS against the JWKS', () => {
    expect(verifyEvidenceOffline(JSON.stringify({ jws, kid: 'k-2026', payload }), jwks)).toMatchObject({ valid: true, kid: 'k-2026', payload: { sub: payload.sub } });
    expect(verifyEvidenceOffline(`${jws}\n`, jwks)).toMatchObject({ valid: true });
  });

  it('names what is wrong', () => {
    const [h, , s] = jws.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, request: { ...payload.request, status: 'failed' } })).toString('base64url')}.${s}`;
    expect(verifyEvidenceOffline(forged, jwks)).toEqual({ valid: false, problem: expect.stringContaining('the signature does not verify') });
    expect(verifyEvidenceOffline(jws, JSON.stringify(jwksDocument(ephemeralSigningKey('other'))))).toEqual({ valid: false, problem: expect.stringContaining('no key with kid "k-2026"') });
    const impostor = ephemeralSigningKey('k-2026');
    expect(verifyEvidenceOffline(jws, JSON.stringify(jwksDocument(impostor)))).toEqual({ valid: false, problem: expect.stringContaining('signature does not verify') });
    expect(verifyEvidenceOffline(JSON.stringify({ jws, payload: { ...payload, final: false } }), jwks)).toEqual({ valid: false, problem: expect.stringContaining('not what was signed') });
    expect(verifyEvidenceOffline(signCompactJws(key, { hello: 1 }, 'erasure-checkpoint+jwt'), jwks)).toEqual({ valid: false, problem: expect.stringContaining('not erasure evidence') });
    expect(verifyEvidenceOffline(signCompactJws(key, { hello: 1 }), jwks)).toEqual({ valid: false, problem: expect.stringContaining('schema') });
    expect(verifyEvidenceOffline('{"kid": "k"}', jwks)).toEqual({ valid: false, problem: expect.stringContaining('no "jws"') });
    expect(verifyEvidenceOffline('not.a jws', jwks)).toEqual({ valid: false, problem: expect.stringContaining('not a compact JWS') });
    expect(verifyEvidenceOffline(jws, '[]')).toEqual({ valid: false, problem: expect.stringContaining('not a JSON Web Key Set') });
  });
});
