// Process entry: load the configuration once, open the database (embedded when DATABASE_URL is unset),
// migrate (unless MIGRATE_ON_START=false), start the API and/or the worker by ROLE, and own the shutdown.
//
// Imported only when used (dynamic import): the embedded engine (PGlite, ~tens of MB of WASM), the
// sandbox simulators, and the worker with its upstream clients and callbacks (worker-role.ts). A ROLE=api
// process on a real Postgres never loads them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { buildApp, buildOperationsApp, type AppDeps, type ZodApp } from './app.ts';
import { registerOverdueRequestsGauge } from './reports/overdue-gauge.ts';
import { registerWatchdogGauges } from './reports/watchdog-gauges.ts';
import { randomIds, systemClock } from './clock.ts';
import { ConfigError, loadConfig, type GatewayConfig } from './config.ts';
import { createDatabase, type Database } from './db/database.ts';
import type { EmbeddedPostgres } from './db/embedded.ts';
import { migrateAsOwner, migrateToLatest, migrationsPending } from './db/migrate.ts';
import { SUBJECT_HASH_KEY_SECRET } from './domain/subject.ts';
import { loadEvidenceSigningKey, loadPreviousEvidenceKeys, SigningKeyError, type EvidencePublicJwk, type EvidenceSigningKey } from './evidence/signing-key.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, registerConnectionHoldGauges, registerDatabaseGauges } from './metrics.ts';
import type { Sandbox } from './sandbox.ts';
import { startWorkerRole, type RunningWorker } from './worker-role.ts';
import { createOpenTaskQuota } from './services/open-task-quota.ts';

function exitWithConfigError(error: ConfigError): never {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

function readConfig(): GatewayConfig {
  try {
    const config = loadConfig(process.env, (path) => readFileSync(path, 'utf8'));
    if (!config.sandbox && !config.secrets.has(SUBJECT_HASH_KEY_SECRET)) {
      throw new ConfigError([
        'config privacy.subjectHashKey: required — the key for the keyed hash of subject identifiers, e.g. {"env": "SUBJECT_HASH_KEY"}; keep it stable, evidence depends on it',
      ]);
    }
    return config;
  } catch (error) {
    if (error instanceof ConfigError) exitWithConfigError(error);
    throw error;
  }
}

/** The evidence key, made once per process; a bad `evidence.signingKey` is a configuration error. */
function evidenceKeyOrExit(config: GatewayConfig): EvidenceSigningKey {
  try {
    return loadEvidenceSigningKey(config);
  } catch (error) {
    if (error instanceof SigningKeyError) exitWithConfigError(new ConfigError([`config ${error.message}`]));
    throw error;
  }
}

/** The retired evidence keys still published (`evidence.previousKeys`); a bad one is a configuration error. */
function previousEvidenceKeysOrExit(config: GatewayConfig): EvidencePublicJwk[] {
  try {
    return loadPreviousEvidenceKeys(config);
  } catch (error) {
    if (error instanceof SigningKeyError) exitWithConfigError(new ConfigError([`config ${error.message}`]));
    throw error;
  }
}

/** MIGRATE_ON_START (default): apply pending migrations. Off: only report; /readyz answers 503 until they are applied. */
async function prepareSchema(config: GatewayConfig, database: Database, logger: Logger): Promise<void> {
  if (config.env.MIGRATE_ON_START) {
    const ownerUrl = config.env.MIGRATION_DATABASE_URL;
    // With an owner role, migrations run as it and grant this process's role only what it needs.
    const applied = ownerUrl === undefined ? await migrateToLatest(database.db) : await migrateAsOwner(ownerUrl, database.url);
    logger.info({ applied, ownerRole: ownerUrl !== undefined }, applied.length > 0 ? 'database migrated' : 'database schema up to date');
    return;
  }
  try {
    const pending = await migrationsPending(database.db);
    if (pending.length === 0) logger.info('MIGRATE_ON_START=false: database schema up to date');
    else {
      logger.warn(
        { pending },
        `MIGRATE_ON_START=false and ${pending.length} migration(s) are pending: /readyz answers 503 until \`npm run migrate\` applies them`,
      );
    }
  } catch (err) {
    logger.warn({ err }, 'MIGRATE_ON_START=false: cannot check migrations now (database unreachable?); /readyz reports it');
  }
}

async function openDatabase(config: GatewayConfig, logger: Logger): Promise<{ database: Database; embedded: EmbeddedPostgres | null }> {
  const onIdleError = (err: Error) => logger.warn({ err }, 'database connection lost (the pool reconnects)');
  if (config.env.DATABASE_URL !== undefined) return { database: createDatabase(config.env.DATABASE_URL, { onIdleError }), embedded: null };
  const dataDir = join(config.env.DATA_DIR, 'pglite');
  process.stdout.write(`No DATABASE_URL: using the embedded Postgres (PGlite) persisted under ${dataDir}\n`);
  const { startEmbeddedPostgres } = await import('./db/embedded.ts');
  const embedded = await startEmbeddedPostgres({ dataDir });
  // PGlite runs one statement at a time: a few connections are plenty.
  return { database: createDatabase(embedded.url, { max: 4, onIdleError }), embedded };
}

/** Where a listening app can be reached, for the start lines. */
function listenUrl(app: ZodApp, configuredHost: string, configuredPort: number): string {
  const host = configuredHost === '0.0.0.0' || configuredHost === '::' ? 'localhost' : configuredHost;
  const address = app.server.address();
  return `http://${host.includes(':') ? `[${host}]` : host}:${typeof address === 'object' && address !== null ? address.port : configuredPort}`;
}

async function main(): Promise<void> {
  let config = readConfig();
  // Checked before anything starts; the sandbox brings its own key (made below).
  const configuredKey = config.sandbox ? null : evidenceKeyOrExit(config);
  const previousKeys = previousEvidenceKeysOrExit(config);
  // Asynchronous writes to stdout: under load one write carries many lines instead of one write(2) per
  // line on the request path (the access log is a line per request). pino flushes what is pending
  // synchronously on exit, process.exit included.
  const logger = createLogger(config.env.LOG_LEVEL, {}, pino.destination({ dest: 1, sync: false }));
  const role = config.env.ROLE;
  const { database, embedded } = await openDatabase(config, logger);
  let sandbox: Sandbox | null = null;
  let app: ZodApp | null = null;
  let opsApp: ZodApp | null = null;
  let worker: RunningWorker | null = null;

  let stopping = false;
  const shutdown = async (reason: string, code: number) => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, config.file.worker.shutdownGraceMs + 5_000);
    force.unref();
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        logger.error({ err }, `shutdown: ${what} failed`);
      }
    };
    if (app !== null) await step('http server', () => (app as ZodApp).close());
    if (opsApp !== null) await step('operations listener', () => (opsApp as ZodApp).close());
    if (worker !== null) await step('worker', () => (worker as RunningWorker).stop());
    await step('database', () => database.close());
    if (sandbox !== null) await step('simulators', () => (sandbox as Sandbox).close());
    if (embedded !== null) await step('embedded postgres', () => embedded.close());
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown('SIGINT', 0));
  process.once('SIGTERM', () => void shutdown('SIGTERM', 0));

  try {
    await prepareSchema(config, database, logger);
    if (config.sandbox) {
      const { startSandbox } = await import('./sandbox.ts');
      sandbox = await startSandbox(config);
      config = sandbox.config;
    }
    const evidenceKey = configuredKey ?? evidenceKeyOrExit(config);
    if (evidenceKey.ephemeral && role !== 'worker') {
      logger.warn(
        { kid: evidenceKey.kid },
        'no evidence.signingKey configured: evidence is signed with a key made at start, so its signatures will not verify after a restart or on another replica; configure evidence.signingKey (an Ed25519 PEM)',
      );
    }
    const deps: AppDeps = {
      config,
      database,
      clock: systemClock,
      ids: randomIds,
      logger,
      metrics: createMetrics(),
      evidenceKey,
      evidencePreviousKeys: previousKeys,
      wakeWorkers: () => worker?.wake(),
      // One per process, shared by the API and the sandbox's demo submits.
      openTaskQuota: createOpenTaskQuota(database.db, systemClock),
    };
    // Something for the console's overview on a fresh machine (before listening, so the banner can say so);
    // a failure here is no reason not to serve.
    let demoRequests = 0;
    if (sandbox !== null && role !== 'worker') {
      const { seedSandboxDemo } = await import('./sandbox-demo.ts');
      demoRequests = (
        await seedSandboxDemo({ ...deps, openTaskQuota: deps.openTaskQuota! }, sandbox).catch((err: unknown) => {
          logger.warn({ err }, 'sandbox demo requests were not created');
          return [];
        })
      ).length;
    }
    // Counted in the database at scrape time: every replica reports the same numbers.
    registerOverdueRequestsGauge(deps.metrics.registry, database.db, systemClock);
    registerWatchdogGauges(deps.metrics.registry, database.db, systemClock);
    registerDatabaseGauges(deps.metrics, database.db);
    registerConnectionHoldGauges(deps.metrics, database.db);
    // A worker-only process serves just /healthz, /readyz and /metrics, so it can be probed and scraped.
    app = await buildApp(deps, { operationsOnly: role === 'worker' });
    await app.listen({ port: config.env.PORT, host: config.env.HOST });
    const { opsPort, opsHost } = config.file.http;
    if (opsPort !== undefined) {
      // A second listener for /metrics and the detailed /readyz, bound where only operators reach.
      opsApp = await buildOperationsApp(deps);
      await opsApp.listen({ port: opsPort, host: opsHost ?? config.env.HOST });
      const opsUrl = listenUrl(opsApp, opsHost ?? config.env.HOST, opsPort);
      // Not "listening on …": that line names the API's address (scripts and tests wait for it).
      logger.info({ url: opsUrl }, `operations endpoints (/metrics, detailed /readyz) on ${opsUrl}`);
    }
    // A worker signs evidence and checkpoints only with a key the API's JWKS publishes: a configured one,
    // or the API's own in this process. With a key of its own making nobody could verify them.
    const workerSignsEvidence = !evidenceKey.ephemeral || role === 'all';
    if (role === 'worker' && !workerSignsEvidence) {
      logger.warn('no evidence.signingKey configured: this worker signs neither evidence nor checkpoints (the API signs evidence at its first fetch)');
    }
    if (role !== 'api') worker = await startWorkerRole({ ...deps, evidenceKey: workerSignsEvidence ? evidenceKey : undefined });
    const baseUrl = listenUrl(app, config.env.HOST, config.env.PORT);
    logger.info({ role, sandbox: config.sandbox, url: baseUrl }, role === 'worker' ? 'worker started' : `listening on ${baseUrl}`);
    if (sandbox !== null && role !== 'worker') process.stdout.write((await import('./sandbox.ts')).sandboxBanner(baseUrl, sandbox, { demoRequests }));
  } catch (error) {
    logger.fatal({ err: error }, 'start failed');
    await shutdown('start failed', 1);
  }
}

await main();
