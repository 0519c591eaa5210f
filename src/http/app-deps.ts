// What the HTTP layer is built from. buildApp() decorates the instance with these as `app.deps`, so a
// route reads `app.deps.database`, `app.deps.clock`, … (no module-level state, tests inject their own).
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock, IdSource } from '../clock.ts';
import type { GatewayConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import type { Caller } from '../domain/caller.ts';
import type { ConnectionProbe } from '../domain/connection-check.ts';
import type { Scope } from '../domain/scopes.ts';
import type { EvidencePublicJwk, EvidenceSigningKey } from '../evidence/signing-key.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { OpenTaskQuota } from '../services/open-task-quota.ts';

export type AppDeps = {
  config: GatewayConfig;
  database: Database;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  metrics: Metrics;
  /** Signs evidence; its public half is served at /.well-known/jwks.json. Made once per process (main.ts). */
  evidenceKey: EvidenceSigningKey;
  /** Retired evidence keys (evidence.previousKeys), still published in the JWKS. */
  evidencePreviousKeys?: readonly EvidencePublicJwk[];
  /** Wakes in-process workers right after a submit commits (NOTIFY reaches the others). */
  wakeWorkers?: () => void;
  /** Makes connection checks' calls. Default: the vendors' clients for the configured connections, made at the first check. */
  connectionProbe?: ConnectionProbe;
  /** This process's open-task counts per tenant; buildApp() makes one when not given. */
  openTaskQuota?: OpenTaskQuota;
};

/** The API key a request authenticated with (who is asking, and which tenants that lets it see). */
export type { Caller } from '../domain/caller.ts';

/** The Fastify instance routes are registered on: zod schemas drive validation, types and OpenAPI. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps;
    /** The connection probe (deps.connectionProbe, or the default one, loaded at its first use). */
    connectionProbe(): Promise<ConnectionProbe>;
  }
  interface FastifyRequest {
    /** Set by the auth plugin on routes that require a scope; null on public routes. */
    caller: Caller | null;
  }
  interface FastifyContextConfig {
    /** The route needs an API key holding at least one of these scopes. Absent: a public route. */
    scopes?: readonly Scope[];
  }
}
