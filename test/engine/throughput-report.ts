// Engine throughput report (not a test): N Cartesia tasks against the simulator with no latency and no
// limits, settled end-to-end by one in-process worker. Prints tasks/s.
//   node_modules/.bin/node test/engine/throughput-report.ts [tasks] [tasksPerRequest]
// Uses DATABASE_URL (a scratch database is created and dropped) or the embedded engine.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { randomIds, systemClock } from '../../src/clock.ts';
import { parseConfigFile } from '../../src/config.ts';
import { createDatabase } from '../../src/db/database.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { newPendingTask } from '../../src/db/tasks.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { createCartesiaSimulator } from '../../src/simulators/index.ts';
import { startWorker } from '../../src/worker/worker.ts';

const total = Number(process.argv[2] ?? 5000);
const perRequest = Number(process.argv[3] ?? 10);

const admin = process.env.DATABASE_URL;
let url: string;
let cleanup: () => Promise<void>;
if (admin !== undefined && admin !== '') {
  const name = `eg_bench_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  url = u.toString();
  cleanup = async () => {
    const a = new pg.Client({ connectionString: admin });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`);
    await a.end();
  };
} else {
  const embedded = await startEmbeddedPostgres();
  url = embedded.url;
  cleanup = () => embedded.close();
}
const database = createDatabase(url, { max: 10 });
await migrateToLatest(database.db);

const sim = createCartesiaSimulator({ apiKey: 'sk_bench', settings: { concurrencyLimit: null }, requestLogLimit: 10 });
const simUrl = await sim.listen();
sim.control.seedCalls(Array.from({ length: total }, (_, i) => ({ id: `ac_b${i}`, status: 'completed' as const })));

const { file, secrets } = parseConfigFile(
  {
    apiKeys: [{ name: 'bench', sha256: '1'.repeat(64), scopes: ['erasure:write'] }],
    connections: [{ name: 'cartesia', type: 'cartesia', baseUrl: simUrl, apiKey: { env: 'BENCH_KEY' }, limits: { windows: [] } }],
    worker: { concurrency: 64, batchSize: 64, pollIntervalMs: 200 },
  },
  { BENCH_KEY: 'sk_bench' },
  () => '',
);

const now = new Date();
for (let r = 0; r < total / perRequest; r += 1) {
  const id = randomUUID();
  await database.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('erasure_request')
      .values({ id, external_ref: null, regulation: 'gdpr', subject: null, subject_hashes: null, callback_url: null, status: 'pending', created_by: 'bench', tenant: 'bench', created_at: now, updated_at: now, due_at: now, task_count: perRequest })
      .execute();
    await trx
      .insertInto('task')
      .values(
        Array.from({ length: perRequest }, (_, j) =>
          newPendingTask(
            { id: randomUUID(), request_id: id, seq: j + 1, type: 'cartesia.call', target_index: 0, connection: 'cartesia', locator: { callId: `ac_b${r * perRequest + j}` } },
            now,
          ),
        ),
      )
      .execute();
  });
}

const started = performance.now();
const worker = startWorker({ config: { file, secrets }, database, clock: systemClock, ids: randomIds, logger: createLogger('warn'), metrics: createMetrics({ defaultMetrics: false }), listen: false });
for (;;) {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from task where state in ('pending', 'running', 'waiting')`.execute(database.db);
  if (rows[0]!.n === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
const seconds = (performance.now() - started) / 1000;
await worker.stop();
const { rows } = await sql<{ state: string; n: number }>`select state, count(*)::int as n from task group by state`.execute(database.db);
process.stdout.write(
  `engine throughput: ${total} tasks (${perRequest} per request) settled in ${seconds.toFixed(2)} s = ${(total / seconds).toFixed(0)} tasks/s ` +
    `on ${admin ? 'Postgres' : 'embedded PGlite'}; states ${JSON.stringify(Object.fromEntries(rows.map((r) => [r.state, r.n])))}\n`,
);
await sim.close();
await database.close();
await cleanup();
