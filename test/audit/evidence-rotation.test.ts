// Evidence signed once and kept, across a key rotation: fetched, the key rotated (the old one into
// evidence.previousKeys), the gateway restarted — the same request's evidence is byte-identical and
// verifies against the new JWKS, with jose and offline with `npm run verify-evidence`.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import { loadEvidenceSigningKey, loadPreviousEvidenceKeys } from '../../src/evidence/signing-key.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, requestBody, TEST_SECRETS_ENV, testConfigFile, type TestApp } from '../http/harness.ts';

const run = promisify(execFile);
const pem = () => generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const OLD_PEM = pem();
const NEW_PEM = pem();

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.close();
});

/** The configuration as main.ts reads it: secrets by env reference, keys loaded by the same functions. */
function configWith(evidence: Record<string, unknown>): GatewayConfig {
  const env = { ...TEST_SECRETS_ENV, EVIDENCE_2026: OLD_PEM, EVIDENCE_2027: NEW_PEM };
  const { file, secrets } = parseConfigFile(testConfigFile({ evidence }), env, () => {
    throw new Error('no files');
  });
  return { env: parseEnvironment({ LOG_LEVEL: 'silent' }), sandbox: false, file, secrets };
}

async function start(config: GatewayConfig): Promise<TestApp> {
  return buildTestApp(t, { config, evidenceKey: loadEvidenceSigningKey(config), evidencePreviousKeys: loadPreviousEvidenceKeys(config) });
}

async function verifyOffline(evidenceJson: string, jwksJson: string): Promise<{ code: number; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'eg-evidence-'));
  writeFileSync(join(dir, 'evidence.json'), evidenceJson);
  writeFileSync(join(dir, 'jwks.json'), jwksJson);
  return run('node_modules/.bin/node', ['src/cli/verify-evidence.ts', join(dir, 'evidence.json'), join(dir, 'jwks.json')], { env: { PATH: process.env.PATH ?? '' } }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
}

describe('evidence across a key rotation', () => {
  it('is byte-identical after the rotation and a restart, and verifies against the new JWKS, with jose and offline', async () => {
    const before = await start(configWith({ signingKey: { env: 'EVIDENCE_2026' }, keyId: 'evidence-2026' }));
    const submit = await before.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: bearer(KEYS.writer), payload: requestBody() });
    const id = submit.json().id as string;
    const now = before.clock.now();
    await t.db.updateTable('task').set({ state: 'succeeded', attempts: 1, first_sent_at: now, finished_at: now }).where('request_id', '=', id).execute();
    await t.db.updateTable('erasure_request').set({ status: 'completed', completed_at: now }).where('id', '=', id).execute();
    const url = `/v1/erasure-requests/${id}/evidence`;
    const archived = await before.app.inject({ method: 'GET', url, headers: bearer(KEYS.auditor) });
    expect(archived.statusCode).toBe(200);
    expect(archived.json().kid).toBe('evidence-2026');
    const oldJwks = (await before.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).body;
    await before.close();

    // Rotation: a new key signs from now on; the old one (its public half would do) stays published.
    const after = await start(
      configWith({ signingKey: { env: 'EVIDENCE_2027' }, keyId: 'evidence-2027', previousKeys: [{ key: { env: 'EVIDENCE_2026' }, keyId: 'evidence-2026' }] }),
    );
    try {
      after.clock.advance(90 * 86_400_000);
      const again = await after.app.inject({ method: 'GET', url, headers: bearer(KEYS.auditor) });
      expect(again.body).toBe(archived.body);
      const bare = await after.app.inject({ method: 'GET', url, headers: { ...bearer(KEYS.auditor), accept: 'application/jose' } });
      expect(bare.body).toBe(archived.json().jws);

      const jwksRes = await after.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
      const jwks = jwksRes.json() as JSONWebKeySet;
      expect(jwks.keys.map((k) => k.kid)).toEqual(['evidence-2027', 'evidence-2026']);
      const { payload, protectedHeader } = await jwtVerify(bare.body, createLocalJWKSet(jwks), { typ: 'erasure-evidence+jwt', subject: id });
      expect(protectedHeader.kid).toBe('evidence-2026');
      expect(payload).toMatchObject({ final: true, request: { status: 'completed' } });

      const offline = await verifyOffline(archived.body, jwksRes.body);
      expect(offline.code).toBe(0);
      expect(offline.stdout).toContain('valid: signature by key evidence-2026');
      expect(offline.stdout).toContain(`request ${id}: completed`);
      // Saved with the JWKS of its day, it verifies too; against a JWKS without the retired key it does not.
      expect((await verifyOffline(archived.json().jws, oldJwks)).code).toBe(0);
      const withoutOld = JSON.stringify({ keys: jwks.keys.filter((k) => k.kid !== 'evidence-2026') });
      const refused = await verifyOffline(archived.body, withoutOld);
      expect(refused).toMatchObject({ code: 1, stdout: expect.stringContaining('no key with kid "evidence-2026"') });
    } finally {
      await after.close();
    }
  });
});
