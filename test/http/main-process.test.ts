// `node src/main.ts` as an operator runs it: MIGRATE_ON_START, the evidence key (configured or
// ephemeral, with its warning), the overdue gauge on /metrics, the public JWKS, and a clean SIGTERM.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { TEST_SECRETS_ENV, testConfigFile } from './harness.ts';

const NODE = join(process.cwd(), 'node_modules/.bin/node');
const run = promisify(execFile);

type Gateway = { child: ChildProcess; baseUrl: string; output(): string; exited: Promise<number | null> };

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eg-main-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function writeConfig(dir: string, overrides: Record<string, unknown> = {}): string {
  const file = join(dir, 'gateway.json');
  writeFileSync(file, JSON.stringify(testConfigFile(overrides)));
  return file;
}

/** Starts the service and resolves once it listens (its log line names the address). */
async function startGateway(env: Record<string, string>): Promise<Gateway> {
  const child = spawn(NODE, ['src/main.ts'], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...TEST_SECRETS_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" within 60 s:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^"\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before listening:\n${out}`));
    });
  });
  return { child, baseUrl, output: () => out, exited };
}

async function stop(gateway: Gateway): Promise<number | null> {
  gateway.child.kill('SIGTERM');
  return gateway.exited;
}

/** A database on the test server with nothing in it: not even the migrations. */
async function emptyDatabase(adminUrl: string): Promise<string> {
  const name = `eg_main_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const a = new pg.Client({ connectionString: adminUrl });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  });
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

describe('node src/main.ts', () => {
  it.skipIf(inject('adminDatabaseUrl') === null)(
    'MIGRATE_ON_START=false: serves, /readyz is 503 until the one-shot migration ran; an ephemeral evidence key is warned about',
    async () => {
      const databaseUrl = await emptyDatabase(inject('adminDatabaseUrl')!);
      const dir = tempDir();
      const gateway = await startGateway({ DATABASE_URL: databaseUrl, GATEWAY_CONFIG: writeConfig(dir), MIGRATE_ON_START: 'false', ROLE: 'api' });
      expect(gateway.output()).toContain('migration(s) are pending');
      expect(gateway.output()).toContain('no evidence.signingKey configured');

      const notReady = await fetch(`${gateway.baseUrl}/readyz`);
      expect(notReady.status).toBe(503);
      // Says that migrations are pending, never which: the names are in the log and on http.opsPort.
      expect(((await notReady.json()) as { detail: string }).detail).toContain('not applied yet');

      await run(NODE, ['src/cli/migrate.ts'], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl } });
      expect((await fetch(`${gateway.baseUrl}/readyz`)).status).toBe(200);

      const metrics = await (await fetch(`${gateway.baseUrl}/metrics`)).text();
      expect(metrics).toContain('gateway_erasure_requests_overdue{regulation="gdpr"} 0');
      const jwks = await fetch(`${gateway.baseUrl}/.well-known/jwks.json`);
      expect(jwks.status).toBe(200);
      expect(((await jwks.json()) as { keys: unknown[] }).keys).toHaveLength(1);

      expect(await stop(gateway)).toBe(0);
    },
    60_000,
  );

  it.skipIf(inject('adminDatabaseUrl') === null)(
    'with http.opsPort: /metrics and the readiness details only on the operations listener; PORT never names migrations',
    async () => {
      const databaseUrl = await emptyDatabase(inject('adminDatabaseUrl')!);
      const dir = tempDir();
      const gateway = await startGateway({
        DATABASE_URL: databaseUrl,
        GATEWAY_CONFIG: writeConfig(dir, { http: { opsPort: 0 } }),
        MIGRATE_ON_START: 'false',
        ROLE: 'api',
      });
      const opsUrl = /operations endpoints \(\/metrics, detailed \/readyz\) on (http:\/\/[^"\s]+)/.exec(gateway.output())?.[1];
      expect(opsUrl, gateway.output()).toEqual(expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/));

      const publicReady = await fetch(`${gateway.baseUrl}/readyz`);
      expect(publicReady.status).toBe(503);
      const publicDetail = ((await publicReady.json()) as { detail: string }).detail;
      expect(publicDetail).toBe('The database schema is not up to date: migrations are not applied yet.');
      const opsReady = await fetch(`${opsUrl}/readyz`);
      expect(opsReady.status).toBe(503);
      expect(((await opsReady.json()) as { detail: string }).detail).toMatch(/migration\(s\) not applied yet: 20261121T100000_initial/);

      await run(NODE, ['src/cli/migrate.ts'], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl } });
      expect((await fetch(`${gateway.baseUrl}/readyz`)).status).toBe(200);
      expect((await fetch(`${opsUrl}/readyz`)).status).toBe(200);
      expect((await fetch(`${gateway.baseUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${opsUrl}/healthz`)).status).toBe(200);

      expect((await fetch(`${gateway.baseUrl}/metrics`)).status).toBe(404);
      const metrics = await fetch(`${opsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('gateway_erasure_requests_overdue{regulation="gdpr"} 0');
      // The API stays on PORT only.
      expect((await fetch(`${opsUrl}/v1/erasure-requests`)).status).toBe(404);
      expect((await fetch(`${gateway.baseUrl}/v1/erasure-requests`)).status).toBe(401);

      expect(await stop(gateway)).toBe(0);
    },
    60_000,
  );

  it('migrates at start by default, and signs evidence with the configured key', async () => {
    const dir = tempDir();
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(join(dir, 'evidence.pem'), pem, { mode: 0o600 });
    const config = writeConfig(dir, { evidence: { signingKey: { file: join(dir, 'evidence.pem') }, keyId: 'evidence-2026' } });
    const adminUrl = inject('adminDatabaseUrl');
    // Without a test server, the embedded database under DATA_DIR (what `npm start` uses).
    const database: Record<string, string> = adminUrl === null ? { DATA_DIR: join(dir, 'data') } : { DATABASE_URL: await emptyDatabase(adminUrl) };
    const gateway = await startGateway({ ...database, GATEWAY_CONFIG: config });
    expect(gateway.output()).toContain('database migrated');
    expect(gateway.output()).not.toContain('no evidence.signingKey configured');
    expect((await fetch(`${gateway.baseUrl}/readyz`)).status).toBe(200);
    const jwks = (await (await fetch(`${gateway.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toEqual(['evidence-2026']);
    expect(await stop(gateway)).toBe(0);
    expect(gateway.output()).toContain('shutting down');
  }, 60_000);

  it('sandbox mode keeps its evidence key under DATA_DIR: evidence verifies across restarts', async () => {
    const dir = tempDir();
    const adminUrl = inject('adminDatabaseUrl');
    const env: Record<string, string> = { DATA_DIR: join(dir, 'data'), ...(adminUrl === null ? {} : { DATABASE_URL: await emptyDatabase(adminUrl) }) };
    const kids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const gateway = await startGateway(env);
      expect(gateway.output()).toContain('Sandbox mode');
      expect(gateway.output()).toContain(`Console: ${gateway.baseUrl}/console/ — sign in with the API key above.`);
      // Demo requests for the console's overview on the first start only: the database is no longer empty.
      expect(gateway.output().includes('4 demo requests were made')).toBe(i === 0);
      expect(gateway.output()).not.toContain('no evidence.signingKey configured');
      const jwks = (await (await fetch(`${gateway.baseUrl}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      kids.push(...jwks.keys.map((k) => k.kid));
      expect(await stop(gateway)).toBe(0);
    }
    expect(kids).toHaveLength(2);
    expect(kids[1]).toBe(kids[0]);
  }, 90_000);

  it('refuses to start on an evidence key that is not an Ed25519 PEM, naming the field', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'evidence.pem'), 'not a key');
    const child = spawn(NODE, ['src/main.ts'], {
      cwd: process.cwd(),
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        DATA_DIR: join(dir, 'data'),
        ...TEST_SECRETS_ENV,
        GATEWAY_CONFIG: writeConfig(dir, { evidence: { signingKey: { file: join(dir, 'evidence.pem') } } }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(err).toContain('evidence.signingKey: not a PEM private key');
    expect(err).not.toContain('not a key');
  });
});

describe('MIGRATE_ON_START', () => {
  it('defaults to true, accepts "true"/"false", and names itself when it is anything else', async () => {
    const { ConfigError, parseEnvironment } = await import('../../src/config.ts');
    expect(parseEnvironment({}).MIGRATE_ON_START).toBe(true);
    expect(parseEnvironment({ MIGRATE_ON_START: 'true' }).MIGRATE_ON_START).toBe(true);
    expect(parseEnvironment({ MIGRATE_ON_START: 'false' }).MIGRATE_ON_START).toBe(false);
    expect(() => parseEnvironment({ MIGRATE_ON_START: 'no' })).toThrow(ConfigError);
    expect(() => parseEnvironment({ MIGRATE_ON_START: 'no' })).toThrow(/env MIGRATE_ON_START: expected "true" or "false"/);
  });
});
