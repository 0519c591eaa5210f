// Engine test helpers: a gateway config pointing at the simulators, requests and tasks inserted
// directly (as the intake would), worker child processes, and waiting for database facts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { randomIds, systemClock } from '../../src/clock.ts';
import { parseConfigFile, type GatewayConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import type { DB, TaskRow } from '../../src/db/schema.ts';
import type { JsonObject } from '../../src/domain/json.ts';
import { newPendingTask } from '../../src/db/tasks.ts';
import type { TaskType } from '../../src/domain/types.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createCartesiaSimulator, createKoreaiSimulator, type CartesiaSimulator, type KoreaiSimulator } from '../../src/simulators/index.ts';
import { startWorker, type Worker, type WorkerDeps } from '../../src/worker/worker.ts';

export const BOT = { botId: 'st-engine-test', clientId: 'cs-engine-test', clientSecret: 'kore-engine-secret' };
export const CARTESIA_KEY = 'sk_car_engine_test';
export const SECRET_ENV = { ENGINE_KORE_SECRET: BOT.clientSecret, ENGINE_CARTESIA_KEY: CARTESIA_KEY };

export type Simulators = { kore: KoreaiSimulator; cartesia: CartesiaSimulator; koreUrl: string; cartesiaUrl: string; close(): Promise<void> };

export async function startSimulators(options: { koreWindow?: { max: number; windowMs: number }; jobDelayMs?: number; cartesiaConcurrency?: number | null } = {}): Promise<Simulators> {
  const window = options.koreWindow ?? { max: 100_000, windowMs: 60_000 };
  const kore = createKoreaiSimulator({
    bots: [{ ...BOT, enforceJti: true }],
    rateLimits: { perMinute: window, perHour: { max: 1_000_000, windowMs: 3_600_000 } },
    settings: { jobDelayMs: options.jobDelayMs ?? 200 },
  });
  const cartesia = createCartesiaSimulator({ apiKey: CARTESIA_KEY, settings: { concurrencyLimit: options.cartesiaConcurrency === undefined ? 8 : options.cartesiaConcurrency } });
  const koreUrl = await kore.listen();
  const cartesiaUrl = await cartesia.listen();
  return {
    kore,
    cartesia,
    koreUrl,
    cartesiaUrl,
    async close() {
      await Promise.all([kore.close(), cartesia.close()]);
    },
  };
}

export type ConfigOptions = {
  koreUrl: string;
  cartesiaUrl: string;
  kore?: JsonObject;
  cartesia?: JsonObject;
  worker?: JsonObject;
};

/**
 * A Kore.ai connection to the test simulator: unpaced, quick polls, rechecks and confirms, short timeouts.
 * Every test config builds its connections here; `over` sets what a test needs differently.
 */
export function koreTestConnection(name: string, baseUrl: string, over: JsonObject = {}): JsonObject {
  return {
    name,
    type: 'koreai',
    baseUrl,
    botId: BOT.botId,
    clientId: BOT.clientId,
    clientSecret: { env: 'ENGINE_KORE_SECRET' },
    limits: { windows: [], concurrency: 16 },
    jobPollIntervalSeconds: 0.3,
    recordingRecheckSeconds: 0.3,
    recordingConfirmDelaySeconds: 0.1,
    requestTimeoutMs: 2000,
    ...over,
  };
}

/** A Cartesia connection to the test simulator (see koreTestConnection). */
export function cartesiaTestConnection(name: string, baseUrl: string, over: JsonObject = {}): JsonObject {
  return {
    name,
    type: 'cartesia',
    baseUrl,
    apiKey: { env: 'ENGINE_CARTESIA_KEY' },
    activeCallRecheckSeconds: 0.3,
    limits: { windows: [], concurrency: 8 },
    requestTimeoutMs: 2000,
    ...over,
  };
}

/** The config file document (secrets by env reference) and its parsed form. */
export function engineConfig(o: ConfigOptions): { raw: JsonObject; config: Pick<GatewayConfig, 'file' | 'secrets'> } {
  const raw: JsonObject = {
    apiKeys: [{ name: 'engine-test', sha256: '1'.repeat(64), scopes: ['erasure:write'] }],
    connections: [koreTestConnection('kore', o.koreUrl, o.kore), cartesiaTestConnection('cartesia', o.cartesiaUrl, o.cartesia)],
    worker: { pollIntervalMs: 100, sweepIntervalMs: 250, leaseSeconds: 10, backoffBaseMs: 50, backoffCapMs: 400, shutdownGraceMs: 2000, ...o.worker },
  };
  const parsed = parseConfigFile(raw, SECRET_ENV, () => {
    throw new Error('no files in engine tests');
  });
  return { raw, config: parsed };
}

export function startTestWorker(database: Database, config: Pick<GatewayConfig, 'file' | 'secrets'>, over: Partial<WorkerDeps> = {}): Worker {
  return startWorker({
    config,
    database,
    clock: systemClock,
    ids: randomIds,
    logger: createLogger(process.env.ENGINE_LOG_LEVEL ?? 'silent'),
    metrics: createMetrics({ defaultMetrics: false }),
    ...over,
  });
}

export type NewTaskSpec = { type: TaskType; connection: string | null; locator: JsonObject };

/** A request and its tasks, written as the intake does (one transaction, then NOTIFY). */
export async function insertRequest(db: Kysely<DB>, tasks: readonly NewTaskSpec[], options: { targetIndex?: (i: number) => number; tenant?: string } = {}): Promise<string> {
  const id = randomUUID();
  const now = new Date();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('erasure_request')
      .values({
        id,
        external_ref: null,
        regulation: 'gdpr',
        subject: null,
        subject_hashes: null,
        callback_url: null,
        status: 'pending',
        created_by: 'engine-test',
        tenant: options.tenant ?? 'engine-test',
        created_at: now,
        updated_at: now,
        due_at: new Date(now.getTime() + 30 * 86_400_000),
        task_count: tasks.length,
      })
      .execute();
    for (let i = 0; i < tasks.length; i += 500) {
      await trx
        .insertInto('task')
        .values(
          tasks.slice(i, i + 500).map((t, j) =>
            newPendingTask(
              { id: randomUUID(), request_id: id, seq: i + j + 1, type: t.type, target_index: options.targetIndex?.(i + j) ?? 0, connection: t.connection, locator: t.locator },
              now,
            ),
          ),
        )
        .execute();
    }
    await sql`select pg_notify('erasure_tasks', '')`.execute(trx);
  });
  return id;
}

export async function tasksOf(db: Kysely<DB>, requestId: string): Promise<TaskRow[]> {
  return db.selectFrom('task').selectAll().where('request_id', '=', requestId).orderBy('seq').execute();
}

export async function countByState(db: Kysely<DB>, requestId?: string): Promise<Record<string, number>> {
  let q = db.selectFrom('task').select(['state', sql<number>`count(*)::int`.as('n')]).groupBy('state');
  if (requestId !== undefined) q = q.where('request_id', '=', requestId);
  const rows = await q.execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, options: { timeoutMs: number; intervalMs?: number; what: string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what}${last === undefined ? '' : ` (last error: ${String(last)})`}`);
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100));
  }
}

/** Waits until no task of the request is pending, running or waiting. */
export async function waitAllFinal(db: Kysely<DB>, requestId: string | undefined, timeoutMs: number): Promise<Record<string, number>> {
  return waitFor(
    async () => {
      const counts = await countByState(db, requestId);
      return (counts.pending ?? 0) + (counts.running ?? 0) + (counts.waiting ?? 0) === 0 ? counts : undefined;
    },
    { timeoutMs, intervalMs: 200, what: 'every task to be final' },
  );
}

export type WorkerProcess = { child: ChildProcess; id: string; exited: Promise<number | null>; output(): string };

/** A worker child process (src/worker-main.ts on Node 24) on the test database and a config file. */
export function spawnWorker(options: { databaseUrl: string; raw: JsonObject; id: string; env?: Record<string, string> }): WorkerProcess {
  const dir = mkdtempSync(join(tmpdir(), 'eg-worker-'));
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(options.raw));
  const child = spawn(join(process.cwd(), 'node_modules/.bin/node'), ['src/worker-main.ts'], {
    cwd: process.cwd(),
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: options.databaseUrl,
      GATEWAY_CONFIG: file,
      WORKER_ID: options.id,
      LOG_LEVEL: process.env.ENGINE_LOG_LEVEL ?? 'warn',
      ...SECRET_ENV,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, id: options.id, exited, output: () => out };
}

export async function stopWorkerProcess(p: WorkerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  await p.exited;
}
