// buildApp(deps): the HTTP API as a Fastify instance; buildOperationsApp(deps): the operators' listener
// (http.opsPort). Neither listens (main.ts does; tests use inject()).
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { consoleRoutes, CONSOLE_PREFIX } from './console/index.ts';
import type { ConnectionProbe } from './domain/connection-check.ts';
import { SUBJECT_HASH_KEY_SECRET } from './domain/subject.ts';
import type { AppDeps, ZodApp } from './http/app-deps.ts';
import authPlugin from './http/plugins/auth.ts';
import openapiPlugin from './http/plugins/openapi.ts';
import problemsPlugin, { frameworkErrorHandler } from './http/plugins/problems.ts';
import requestContextPlugin from './http/plugins/request-context.ts';
import writeRateLimitPlugin from './http/plugins/write-rate-limit.ts';
import { operationsListenerRoutes, operationsOnlyRoutes, routes, type OperationsPlacement } from './http/routes/index.ts';
import { createOpenTaskQuota } from './services/open-task-quota.ts';

export type { AppDeps, ZodApp } from './http/app-deps.ts';

/** A caller's x-request-id is kept when it is a plain token; anything else gets a fresh id. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export type BuildAppOptions = {
  /** Serve only /healthz, /readyz and /metrics (ROLE=worker). */
  operationsOnly?: boolean;
};

/**
 * Connection checks call the vendors: their clients are loaded at the first check (dynamic import), so an
 * API process that never checks a connection never loads them, and closed with the app.
 */
function decorateConnectionProbe(app: ZodApp, deps: AppDeps): void {
  let owned: Promise<ConnectionProbe> | null = null;
  app.decorate('connectionProbe', () => {
    if (deps.connectionProbe !== undefined) return Promise.resolve(deps.connectionProbe);
    owned ??= import('./upstreams/connection-probes.ts').then((m) => m.createConnectionProbes(deps.config));
    return owned;
  });
  app.addHook('onClose', async () => {
    if (owned !== null) await (await owned).close();
  });
}

function newFastify(deps: AppDeps): ZodApp {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's own per-request lines would log the raw URL; request-context.ts logs the route instead.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: deps.config.file.http.bodyLimitBytes,
    trustProxy: deps.config.file.http.trustProxy,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    // Bad URLs the router refuses before any hook: problems like every other error.
    frameworkErrors: frameworkErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // JSON only: a text/plain body is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
  return app;
}

/** With http.opsPort, /metrics and the detailed /readyz move to the operations listener. */
function operationsPlacement(deps: AppDeps): OperationsPlacement {
  return deps.config.file.http.opsPort === undefined ? 'here' : 'elsewhere';
}

export async function buildApp(deps: AppDeps, options: BuildAppOptions = {}): Promise<ZodApp> {
  if (!deps.config.secrets.has(SUBJECT_HASH_KEY_SECRET)) {
    throw new Error(`buildApp: secret ${SUBJECT_HASH_KEY_SECRET} is not resolved (config privacy.subjectHashKey)`);
  }
  const app = newFastify(deps);
  app.decorate('deps', { ...deps, openTaskQuota: deps.openTaskQuota ?? createOpenTaskQuota(deps.database.db, deps.clock) });
  decorateConnectionProbe(app, deps);

  await app.register(problemsPlugin);
  await app.register(requestContextPlugin);
  await app.register(authPlugin);
  await app.register(writeRateLimitPlugin);
  await app.register(openapiPlugin);
  const placement = operationsPlacement(deps);
  await app.register(options.operationsOnly === true ? operationsOnlyRoutes(placement) : routes(placement));
  // The console is an API process's (ROLE api and all), on the same port; a worker-only process has none.
  if (options.operationsOnly !== true) await app.register(consoleRoutes, { prefix: CONSOLE_PREFIX });
  await app.ready();
  return app;
}

/**
 * The listener on http.opsPort: /healthz, /readyz with its details (pending migrations by name) and
 * /metrics. No API key: bind it where only the orchestrator and the scraper reach.
 */
export async function buildOperationsApp(deps: AppDeps): Promise<ZodApp> {
  const app = newFastify(deps);
  app.decorate('deps', deps);
  await app.register(problemsPlugin);
  await app.register(operationsListenerRoutes);
  await app.ready();
  return app;
}
