// A worker-only process: DATABASE_URL (required) and GATEWAY_CONFIG as for the service, plus optional
// WORKER_ID. Runs the engine until SIGTERM/SIGINT, then stops gracefully (ROLE=worker of main.ts does
// the same inside the service, with an HTTP server for probes; this entry runs a bare worker, e.g. in
// tests and benchmarks). Both start it with startWorkerRole (worker-role.ts).
import { readFileSync } from 'node:fs';
import { randomIds, systemClock } from './clock.ts';
import { ConfigError, loadConfig, type GatewayConfig } from './config.ts';
import { createDatabase } from './db/database.ts';
import { loadEvidenceSigningKey } from './evidence/signing-key.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { startWorkerRole } from './worker-role.ts';

let config: GatewayConfig;
try {
  config = loadConfig(process.env, (path) => readFileSync(path, 'utf8'));
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
const url = config.env.DATABASE_URL;
if (url === undefined) {
  process.stderr.write('env DATABASE_URL: required for a worker process\n');
  process.exit(1);
}
const logger = createLogger(config.env.LOG_LEVEL);
const database = createDatabase(url, { max: 6, applicationName: 'erasure-gateway-worker', onIdleError: (err) => logger.warn({ err }, 'database connection lost') });
const worker = await startWorkerRole({
  config,
  database,
  clock: systemClock,
  ids: randomIds,
  logger,
  metrics: createMetrics({ defaultMetrics: false }),
  workerId: process.env.WORKER_ID,
  listen: process.env.WORKER_LISTEN !== 'false',
  // As ROLE=worker: it signs evidence and checkpoints only with a configured key the API publishes.
  evidenceKey: config.secrets.has('evidence.signingKey') ? loadEvidenceSigningKey(config) : undefined,
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping worker');
  const force = setTimeout(() => process.exit(1), config.file.worker.shutdownGraceMs + 5_000);
  force.unref();
  await worker.stop();
  await database.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));
