import { describe, expect, it } from 'vitest';
import { signHs256Jwt, verifyHs256Jwt } from './jwt-hs256.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('verifyHs256Jwt', () => {
  it('accepts its own tokens and refuses tampering, other secrets, alg "none" and junk', () => {
    const token = signHs256Jwt({ appId: 'cs-1', sub: 'x' }, 'secret');
    expect(verifyHs256Jwt(token, 'secret')).toEqual({ ok: true, payload: { appId: 'cs-1', sub: 'x' } });
    expect(verifyHs256Jwt(token, 'other')).toEqual({ ok: false, reason: 'bad_signature' });

    const [header, , signature] = token.split('.');
    expect(verifyHs256Jwt(`${header}.${b64({ appId: 'cs-2', sub: 'x' })}.${signature}`, 'secret')).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyHs256Jwt(`${b64({ alg: 'none' })}.${b64({ appId: 'cs-1' })}.`, 'secret')).toEqual({ ok: false, reason: 'unsupported_algorithm' });
    expect(verifyHs256Jwt('a.b', 'secret')).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyHs256Jwt('%%%.%%%.%%%', 'secret')).toEqual({ ok: false, reason: 'malformed' });
  });
});
