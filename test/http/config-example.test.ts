// The example configuration in the repository is one the gateway accepts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigFile } from '../../src/config.ts';

describe('config.example.json', () => {
  it('is valid once its secrets exist', () => {
    const raw = JSON.parse(readFileSync(new URL('../../config.example.json', import.meta.url), 'utf8'));
    const env = { KORE_SUPPORT_CLIENT_SECRET: 's', CALLBACK_SECRET: 's', SUBJECT_HASH_KEY: 's' };
    const { file, secrets } = parseConfigFile(raw, env, () => 'file secret');
    expect(file.connections.map((c) => c.name)).toEqual(['kore-support', 'cartesia-prod']);
    expect(secrets.has('privacy.subjectHashKey')).toBe(true);
  });

  it('deploy/compose-config.json is valid too, with the sandbox evidence key and callbacks on any port', () => {
    const raw = JSON.parse(readFileSync(new URL('../../deploy/compose-config.json', import.meta.url), 'utf8'));
    const env = { KORE_SANDBOX_CLIENT_SECRET: 's', CARTESIA_SANDBOX_API_KEY: 's', CALLBACK_SECRET: 's', SUBJECT_HASH_KEY: 's' };
    const { file, secrets } = parseConfigFile(raw, env, () => 'file secret');
    expect(file.callbacks?.allowedPorts).toBe('any');
    expect(secrets.get('evidence.signingKey')).toBe('file secret');
  });
});
