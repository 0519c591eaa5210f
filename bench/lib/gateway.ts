// The gateway as its own process (`node src/main.ts`): a config file with one API key, the bench's
// connections and worker settings, secrets by environment, a real Ed25519 evidence key.
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TMP } from './env.ts';
import { freePort, spawnNode, waitHttpOk, waitLog, type Proc } from './procs.ts';

export const KORE_BOT = { botId: 'st-bench', clientId: 'cs-bench', clientSecret: 'kore-bench-secret-0123456789' };
export const CARTESIA_KEY = 'sk_car_bench_0123456789';
export const SECRET_ENV: Record<string, string> = {
  BENCH_KORE_SECRET: KORE_BOT.clientSecret,
  BENCH_CARTESIA_KEY: CARTESIA_KEY,
  BENCH_SUBJECT_HASH_KEY: 'bench-subject-hash-key-0123456789abcdef',
};

export type ConnectionSpec = {
  koreUrl: string;
  cartesiaUrl: string;
  /** Extra fields of the `kore` / `cartesia` connections (limits, timings). */
  kore?: Record<string, unknown>;
  cartesia?: Record<string, unknown>;
};

/** `limits` with no window and no concurrency: the connection is not paced at all. */
export const UNPACED = { windows: [] };

export type GatewayConfigFile = { path: string; apiKey: string; raw: Record<string, unknown> };

function evidenceKeyFile(): string {
  const file = join(TMP, 'evidence-ed25519.pem');
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return file;
}

export function writeGatewayConfig(name: string, c: ConnectionSpec, worker: Record<string, unknown> = {}): GatewayConfigFile {
  const apiKey = `bench-${randomBytes(16).toString('hex')}`;
  const raw = {
    apiKeys: [
      {
        name: 'bench',
        sha256: createHash('sha256').update(apiKey).digest('hex'),
        scopes: ['erasure:write', 'erasure:read', 'audit:read'],
        // The bench measures throughput, not the limit (600 a minute by default): the limit is still
        // applied to every write — one statement each — it just never refuses one here.
        rateLimit: { perMinute: 100_000_000 },
      },
    ],
    connections: [
      {
        name: 'kore',
        type: 'koreai',
        baseUrl: c.koreUrl,
        botId: KORE_BOT.botId,
        clientId: KORE_BOT.clientId,
        clientSecret: { env: 'BENCH_KORE_SECRET' },
        limits: UNPACED,
        ...c.kore,
      },
      { name: 'cartesia', type: 'cartesia', baseUrl: c.cartesiaUrl, apiKey: { env: 'BENCH_CARTESIA_KEY' }, limits: UNPACED, ...c.cartesia },
    ],
    // Intake runs with no worker, so every task stays open: the default quota (200,000 open tasks a
    // tenant) would refuse submits after 40,000 requests of 5 tasks (as it should, outside a bench).
    tenants: { bench: { maxOpenTasks: 1_000_000_000 } },
    privacy: { subjectHashKey: { env: 'BENCH_SUBJECT_HASH_KEY' } },
    evidence: { signingKey: { file: evidenceKeyFile() } },
    worker,
  };
  const path = join(TMP, `${name}.config.json`);
  writeFileSync(path, JSON.stringify(raw, null, 2));
  return { path, apiKey, raw };
}

export type Gateway = Proc & { baseUrl: string | null; role: 'all' | 'api' | 'worker' };

export type StartGatewayOptions = {
  name: string;
  role: 'all' | 'api' | 'worker';
  databaseUrl: string;
  config: GatewayConfigFile;
  /** pino level; the log goes to bench/.tmp/<name>.log. */
  logLevel?: string;
  env?: Record<string, string>;
  /** Wait until the API answers /readyz (api/all) or the worker logged its start. Default true. */
  wait?: boolean;
  /** Extra node flags, e.g. ['--max-semi-space-size=8']. */
  nodeArgs?: string[];
};

/** The V8 flags `npm start` and the Docker image run the gateway with. */
export const PRODUCTION_NODE_ARGS = ['--max-semi-space-size=8'];

export async function startGateway(o: StartGatewayOptions): Promise<Gateway> {
  const port = o.role === 'worker' ? 0 : await freePort();
  const proc = spawnNode({
    name: o.name,
    // BENCH_GATEWAY_MAIN: run another entry (e.g. a patched copy of src/ under bench/.tmp) to A/B a change.
    script: process.env.BENCH_GATEWAY_MAIN ?? 'src/main.ts',
    // As production runs it: package.json's start script and the Dockerfile set the same V8 flag.
    nodeArgs: o.nodeArgs ?? PRODUCTION_NODE_ARGS,
    env: {
      NODE_ENV: 'production',
      DATABASE_URL: o.databaseUrl,
      GATEWAY_CONFIG: o.config.path,
      ROLE: o.role,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: o.logLevel ?? 'info',
      ...SECRET_ENV,
      ...o.env,
    },
  });
  const baseUrl = o.role === 'worker' ? null : `http://127.0.0.1:${port}`;
  if (o.wait !== false) {
    if (baseUrl !== null) await waitHttpOk(`${baseUrl}/readyz`, proc, 60_000);
    else await waitLog(proc, '"worker started"', 60_000);
  }
  return Object.assign(proc, { baseUrl, role: o.role });
}

/** Heap figures from the gateway's own /metrics (prom-client default metrics), in MB. */
export async function heapFromMetrics(baseUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const pick = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 1024 / 1024;
  return {
    rss: pick('process_resident_memory_bytes'),
    heapTotal: pick('nodejs_heap_size_total_bytes'),
    heapUsed: pick('nodejs_heap_size_used_bytes'),
    external: pick('nodejs_external_memory_bytes'),
  };
}
