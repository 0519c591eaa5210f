import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfigFile, tenantSettingsOf } from './config.ts';

const key = { name: 'portal', sha256: 'a'.repeat(64), scopes: ['erasure:write'] };
const kore = { name: 'kore', type: 'koreai', baseUrl: 'https://platform.kore.ai', botId: 'st-1', clientId: 'cs-1', clientSecret: { env: 'KORE_SECRET' } };
const env = { KORE_SECRET: 's3cret' };
const noFiles = () => {
  throw new Error('no file');
};

function messages(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('gives a Kore.ai connection the documented per-bot windows even when only concurrency is set', () => {
    const { file } = parseConfigFile({ apiKeys: [key], connections: [{ ...kore, limits: { concurrency: 2 } }] }, env, noFiles);
    const c = file.connections[0]!;
    expect(c.limits).toEqual({ windows: [{ max: 60, seconds: 60 }, { max: 1800, seconds: 3600 }], concurrency: 2, reserve: 0.1 });
  });

  it('Kore.ai settings of the verdict rule have their defaults, and bad values name the field', () => {
    const c = parseConfigFile({ apiKeys: [key], connections: [kore] }, env, noFiles).file.connections[0]!;
    expect(c).toMatchObject({ dateFormat: 'datetime', recordingConfirmDelaySeconds: 30, recordingMaxWaitHours: 48, recordingsApi: 'v2', limits: { reserve: 0.1 } });
    expect(messages(() => parseConfigFile({ apiKeys: [key], connections: [{ ...kore, limits: { reserve: 1 } }] }, env, noFiles))[0]).toMatch(/^config connections\.0\.limits\.reserve: /);
    expect(messages(() => parseConfigFile({ apiKeys: [key], connections: [{ ...kore, dateFormat: 'iso' }] }, env, noFiles))[0]).toMatch(/^config connections\.0\.dateFormat: /);
    expect(messages(() => parseConfigFile({ apiKeys: [key], connections: [{ ...kore, recordingsApi: 'v1' }] }, env, noFiles))[0]).toMatch(/^config connections\.0\.recordingsApi: /);
  });

  it('resolves secrets from the environment and names the field when one is missing', () => {
    expect(parseConfigFile({ apiKeys: [key], connections: [kore] }, env, noFiles).secrets.get('connections.0.clientSecret')).toBe('s3cret');
    expect(messages(() => parseConfigFile({ apiKeys: [key], connections: [kore] }, {}, noFiles))).toEqual([
      'config connections.0.clientSecret: environment variable KORE_SECRET is not set',
    ]);
  });

  it('names the bad field and refuses inline secrets and unknown fields', () => {
    const issues = messages(() => parseConfigFile({ apiKeys: [key], connections: [{ ...kore, clientSecret: 'inline', extra: 1 }] }, env, noFiles));
    expect(issues.some((m) => m.startsWith('config connections.0'))).toBe(true);
  });

  it('keeps console sign-ins 8 hours unless told, and names a bad console.sessionHours', () => {
    expect(parseConfigFile({ apiKeys: [key] }, env, noFiles).file.console.sessionHours).toBe(8);
    expect(parseConfigFile({ apiKeys: [key], console: { sessionHours: 0.5 } }, env, noFiles).file.console.sessionHours).toBe(0.5);
    expect(messages(() => parseConfigFile({ apiKeys: [key], console: { sessionHours: 0 } }, env, noFiles))[0]).toMatch(/^config console\.sessionHours: /);
    expect(messages(() => parseConfigFile({ apiKeys: [key], console: { hours: 8 } }, env, noFiles))[0]).toMatch(/^config console: Unrecognized key/);
  });

  it('watches with a 15-minute grace every minute unless told, and names a bad watchdog field', () => {
    expect(parseConfigFile({ apiKeys: [key] }, env, noFiles).file.watchdog).toEqual({ graceMinutes: 15, intervalSeconds: 60, expectedWaitHours: {} });
    expect(parseConfigFile({ apiKeys: [key], watchdog: { graceMinutes: 0, expectedWaitHours: { koreaiJob: 12 } } }, env, noFiles).file.watchdog).toMatchObject({ graceMinutes: 0, expectedWaitHours: { koreaiJob: 12 } });
    expect(messages(() => parseConfigFile({ apiKeys: [key], watchdog: { graceMinutes: -1 } }, env, noFiles))[0]).toMatch(/^config watchdog\.graceMinutes: /);
    expect(messages(() => parseConfigFile({ apiKeys: [key], watchdog: { expectedWaitHours: { activeCall: 0 } } }, env, noFiles))[0]).toMatch(/^config watchdog\.expectedWaitHours\.activeCall: /);
    expect(messages(() => parseConfigFile({ apiKeys: [key], watchdog: { expectedWaitHours: { job: 1 } } }, env, noFiles))[0]).toMatch(/^config watchdog\.expectedWaitHours: Unrecognized key/);
  });

  it('refuses production without a config file or without DATABASE_URL', () => {
    expect(messages(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://x/y' }, noFiles))[0]).toMatch(/^env GATEWAY_CONFIG: required/);
    expect(messages(() => loadConfig({ NODE_ENV: 'production', GATEWAY_CONFIG: '/etc/gw.json' }, noFiles))[0]).toMatch(/^env DATABASE_URL: required/);
  });

  it('runs in sandbox mode without a config file outside production', () => {
    expect(loadConfig({}, noFiles).sandbox).toBe(true);
  });

  it('puts each key in a tenant (default: its own name), reads across tenants only when asked, and limits its writes', () => {
    const { file } = parseConfigFile(
      {
        apiKeys: [
          key,
          { ...key, name: 'portal-2026', tenant: 'portal' },
          { ...key, name: 'auditors', scopes: ['audit:read'], allTenants: true, rateLimit: { perMinute: 60 } },
        ],
      },
      env,
      noFiles,
    );
    expect(file.apiKeys.map((k) => [k.name, k.tenant, k.allTenants, k.rateLimit.perMinute])).toEqual([
      ['portal', 'portal', false, 600],
      ['portal-2026', 'portal', false, 600],
      ['auditors', 'auditors', true, 60],
    ]);
  });

  it('takes per-tenant quotas, with 200,000 open tasks for a tenant not listed, and names a tenant no key belongs to', () => {
    const config = parseConfigFile({ apiKeys: [key], tenants: { portal: { maxOpenTasks: 5000 } } }, env, noFiles);
    expect(tenantSettingsOf(config, 'portal')).toEqual({ maxOpenTasks: 5000 });
    expect(tenantSettingsOf(config, 'elsewhere')).toEqual({ maxOpenTasks: 200_000 });
    expect(messages(() => parseConfigFile({ apiKeys: [key], tenants: { portl: { maxOpenTasks: 5 } } }, env, noFiles))).toEqual([
      'config tenants.portl: no API key belongs to tenant "portl" (apiKeys[].tenant, default: the key\'s name)',
    ]);
    expect(messages(() => parseConfigFile({ apiKeys: [{ ...key, rateLimit: { perMinute: 0 } }] }, env, noFiles))[0]).toMatch(/^config apiKeys\.0\.rateLimit\.perMinute:/);
    expect(messages(() => parseConfigFile({ apiKeys: [key], http: { opsPort: 70000 } }, env, noFiles))[0]).toMatch(/^config http\.opsPort:/);
  });
});
