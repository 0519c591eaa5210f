// One zod schema for the environment and the config file. parseConfig() is pure: it takes the
// environment and a file reader, and returns either a config or errors that name the bad field.
import { z } from 'zod';
import type { ConnectionLimits } from './domain/connection-limits.ts';
import type { CartesiaDiscoverySettings, KoreaiDiscoverySettings } from './domain/discovery.ts';
import { DEFAULT_MAX_OPEN_TASKS } from './domain/open-task-quota.ts';
import type { SameType } from './domain/same-type.ts';
import { SCOPES } from './domain/scopes.ts';
import { DEFAULT_WRITES_PER_MINUTE } from './domain/write-rate.ts';

// The scopes are a domain contract (domain/scopes.ts); re-exported for the modules that read them here.
export { SCOPES, type Scope } from './domain/scopes.ts';

/** A secret is never inline: it names an environment variable or a file holding it. */
const secretRef = z.union([
  z.strictObject({ env: z.string().min(1) }),
  z.strictObject({ file: z.string().min(1) }),
]);
export type SecretRef = z.infer<typeof secretRef>;

const limitWindow = z.strictObject({
  max: z.int().positive(),
  seconds: z.number().positive(),
});

const limits = z.strictObject({
  /** Rolling windows: at most `max` calls in any `seconds`-long span, across all replicas. */
  windows: z.array(limitWindow).default([]),
  /** At most this many calls in flight at once, across all replicas. */
  concurrency: z.int().positive().optional(),
});
// Its shape is the pacing rule's ConnectionLimits (domain/connection-limits.ts); the check below keeps them equal.
true satisfies SameType<z.output<typeof limits>, ConnectionLimits>;

/** Kore.ai's documented per-bot limits: 60 per minute and 1,800 per hour (a breach blocks the bot). */
const KOREAI_DEFAULT_WINDOWS = [{ max: 60, seconds: 60 }, { max: 1800, seconds: 3600 }];

/** For Kore.ai a missing `windows` means the documented ones, never "unlimited". */
const koreaiLimits = z.strictObject({
  /** The bot's limits (shared by every client of the bot). */
  windows: z.array(limitWindow).default(KOREAI_DEFAULT_WINDOWS),
  concurrency: z.int().positive().default(4),
  /**
   * Share of each window left for the bot's other clients: the gateway paces itself to (1 − reserve) of
   * it (54/min and 1,620/h by default), so a breach — which blocks the whole bot — is not ours to cause.
   */
  reserve: z.number().min(0).lt(1).default(0.1),
}).prefault({});

/** How identity targets search a Kore.ai bot (docs: README "Erasing a person"). */
const koreaiDiscovery = z.strictObject({
  /** A target without `from` searches this many days back from its `to`. */
  lookbackDays: z.number().positive().default(365),
  /** getSessions windows; Kore.ai refuses windows wider than 7 days. */
  windowDays: z.number().positive().max(7).default(7),
  /** Longer ranges are refused at submit (each 7 days costs at least one call). */
  maxRangeDays: z.number().positive().default(730),
  /** Kore.ai conversations are sessions: delete the conversations by the sessions' ids (false: recordings only). */
  conversationsFromSessions: z.boolean().default(true),
}).prefault({});
true satisfies SameType<z.output<typeof koreaiDiscovery>, KoreaiDiscoverySettings>;

const cartesiaDiscovery = z.strictObject({
  /** Agents whose calls a `cartesia.subject` target searches when it names none. */
  agentIds: z.array(z.string().min(1).max(256)).max(100).default([]),
  lookbackDays: z.number().positive().default(365),
  maxRangeDays: z.number().positive().default(730),
}).prefault({});
true satisfies SameType<z.output<typeof cartesiaDiscovery>, CartesiaDiscoverySettings>;

const connectionName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, "-" or "_", at most 63');

const koreaiConnection = z.strictObject({
  name: connectionName,
  type: z.literal('koreai'),
  baseUrl: z.url(),
  /** Documented `/api/public/bot`; samples also use `/api/1.1/public/bot`. */
  pathPrefix: z.string().startsWith('/').default('/api/public/bot'),
  botId: z.string().min(1),
  clientId: z.string().min(1),
  clientSecret: secretRef.optional(),
  /** RS256/RS512 apps sign with a private key instead of the client secret. */
  jwtAlgorithm: z.enum(['HS256', 'HS512', 'RS256', 'RS512']).default('HS256'),
  privateKey: secretRef.optional(),
  limits: koreaiLimits,
  jobPollIntervalSeconds: z.number().positive().default(900),
  /**
   * A conversation-deletion job not final this long after Kore.ai's `submittedAt` of that job fails
   * (`job_timeout`); a re-drive submits a new job, whose age starts afresh. Kore.ai runs jobs off-peak.
   */
  jobMaxAgeHours: z.number().positive().default(72),
  /**
   * Channel-user dates as sent to Kore.ai: `datetime` (whole-day bounds `T00:00:00.000Z` /
   * `T23:59:59.999Z`, as the docs' sample sends them) or `date` (`YYYY-MM-DD`, as the docs' table says).
   * A tenant that reads a bare end date as midnight silently leaves the last day out with `date`.
   */
  dateFormat: z.enum(['datetime', 'date']).default('datetime'),
  /** First wait before checking again a recording whose call or media is in progress (it doubles up to 1 h). */
  recordingRecheckSeconds: z.number().positive().default(300),
  /** A recording still in progress this long after the wait began fails (`still_in_progress`). */
  recordingMaxWaitHours: z.number().positive().default(48),
  /** Wait after a recording DELETE before confirming it is gone (a deletion takes a moment to show). */
  recordingConfirmDelaySeconds: z.number().nonnegative().default(30),
  /** The recording DELETE path: `v2` (`…/v2/recordings`, documented) or `legacy` (`/api/1.1/…/recordings`, the docs' sample). */
  recordingsApi: z.enum(['v2', 'legacy']).default('v2'),
  /**
   * Pause after an hourly or unexplained rate-limit answer when the connection has no `limits.windows`
   * to reckon from (with windows, the pause lasts until the longest window has room again).
   */
  rateLimitBackoffSeconds: z.number().positive().default(1800),
  requestTimeoutMs: z.int().positive().default(30_000),
  discovery: koreaiDiscovery,
}).refine((c) => (c.jwtAlgorithm.startsWith('HS') ? c.clientSecret !== undefined : c.privateKey !== undefined), {
  message: 'HS* apps need clientSecret, RS* apps need privateKey',
  path: ['clientSecret'],
});

const cartesiaConnection = z.strictObject({
  name: connectionName,
  type: z.literal('cartesia'),
  baseUrl: z.url().default('https://api.cartesia.ai'),
  apiKey: secretRef,
  apiVersion: z.string().default('2026-03-01'),
  /** Cancel a call that is still `started` before deleting it (otherwise wait for it to end). */
  cancelActiveCalls: z.boolean().default(false),
  /** First wait before checking an active call again; the waits double up to 15 minutes. */
  activeCallRecheckSeconds: z.number().positive().default(60),
  /** A call still `created` or `started` this long after the gateway first found it active fails (`still_in_progress`). */
  activeCallMaxWaitHours: z.number().positive().default(24),
  limits: limits.default({ windows: [], concurrency: 8 }),
  requestTimeoutMs: z.int().positive().default(30_000),
  discovery: cartesiaDiscovery,
});

const connection = z.discriminatedUnion('type', [koreaiConnection, cartesiaConnection]);

const tenantName = z.string().min(1).max(100);

const apiKey = z
  .strictObject({
    name: z.string().min(1).max(100),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'hex SHA-256 of the key (64 lowercase hex digits)'),
    scopes: z.array(z.enum(SCOPES)).min(1),
    /** The tenant whose requests this key submits and sees; default: the key's own name. */
    tenant: tenantName.optional(),
    /** Read every tenant's requests (compliance auditors). Never widens what the key may write. */
    allTenants: z.boolean().default(false),
    /** Writes (every POST under /v1) this key may make, counted in Postgres across all replicas. */
    rateLimit: z.strictObject({ perMinute: z.int().positive() }).default({ perMinute: DEFAULT_WRITES_PER_MINUTE }),
  })
  .transform((k) => ({ ...k, tenant: k.tenant ?? k.name }));

const tenantSettings = z.strictObject({
  /** Open tasks the tenant may have at once; a submit that would exceed it is refused whole. */
  maxOpenTasks: z.int().positive().default(DEFAULT_MAX_OPEN_TASKS),
});
export type TenantSettings = z.infer<typeof tenantSettings>;

const workerSettings = z.strictObject({
  /** Tasks executed at once by one worker process. */
  concurrency: z.int().positive().default(32),
  /** Tasks claimed per claim query. */
  batchSize: z.int().positive().default(32),
  /** Fallback polling when no NOTIFY arrives. */
  pollIntervalMs: z.int().positive().default(1000),
  leaseSeconds: z.number().positive().default(60),
  sweepIntervalMs: z.int().positive().default(5000),
  /** Retries: exponential backoff from base to cap, with full jitter. */
  backoffBaseMs: z.int().positive().default(1000),
  backoffCapMs: z.int().positive().default(15 * 60_000),
  maxAttempts: z.int().positive().default(25),
  /** A task that is not final this long after the request was made fails. */
  maxTaskAgeHours: z.number().positive().default(14 * 24),
  shutdownGraceMs: z.int().positive().default(10_000),
  /**
   * How often the connections are checked (one harmless call each, cluster-wide); also sets when a
   * connection nobody configures any more counts as removed (three intervals without a check).
   */
  connectionCheckIntervalSeconds: z.number().positive().default(300),
}).prefault({});

const watchdogSettings = z.strictObject({
  /** A task is stalled once past what it waits for (its due time, its lease, its vendor wait's bound) by this much. */
  graceMinutes: z.number().nonnegative().default(15),
  /** How often each worker's watchdog pass looks for newly stalled tasks. */
  intervalSeconds: z.number().positive().default(60),
  /**
   * The vendor waits' bounds for the watchdog, replacing every connection's own (jobMaxAgeHours,
   * recordingMaxWaitHours, activeCallMaxWaitHours) when set: e.g. shorter, to hear of a long wait sooner.
   */
  expectedWaitHours: z.strictObject({
    koreaiJob: z.number().positive().optional(),
    recordingInProgress: z.number().positive().optional(),
    activeCall: z.number().positive().optional(),
  }).prefault({}),
}).prefault({});
export type WatchdogSettings = z.infer<typeof watchdogSettings>;

const configFile = z.strictObject({
  apiKeys: z.array(apiKey).min(1),
  /** Per-tenant settings by tenant name; a tenant not listed gets the defaults. */
  tenants: z.record(tenantName, tenantSettings).default({}),
  connections: z.array(connection).default([]),
  callbacks: z.strictObject({
    allowedHosts: z.array(z.string().min(1)).default([]),
    allowPrivateNetworks: z.boolean().default(false),
    /** Ports a callback URL may name (443 when it names none and is https); `"any"` lifts the limit. */
    allowedPorts: z.union([z.array(z.int().min(1).max(65535)).min(1), z.literal('any')]).default([443]),
    secret: secretRef,
    timeoutMs: z.int().positive().default(10_000),
  }).optional(),
  evidence: z.strictObject({
    signingKey: secretRef,
    keyId: z.string().min(1).optional(),
    /** Retired keys still published in the JWKS, so evidence they signed stays verifiable (public PEMs do). */
    previousKeys: z.array(z.strictObject({ key: secretRef, keyId: z.string().min(1).optional() })).default([]),
  }).optional(),
  privacy: z.strictObject({
    /** Key for the keyed hash (HMAC-SHA256) of subject identifiers. */
    subjectHashKey: secretRef.optional(),
    /** A request's personal data (subject, callback URL, person-level locators, upstream text) is purged this long after it is final. */
    purgeSubjectAfterDays: z.number().nonnegative().default(30),
    /** Idempotency keys and their stored answers are deleted this long after the submit. */
    idempotencyTtlHours: z.number().positive().default(24),
  }).prefault({}),
  deadlines: z.strictObject({
    /** The latest a request of regulation `other` may be extended to, in days after it was made (POST …/extend). */
    otherMaxDays: z.int().positive().default(90),
  }).prefault({}),
  audit: z.strictObject({
    /** How often a worker signs a checkpoint over every request's chain head. */
    checkpointMinutes: z.number().positive().default(60),
  }).prefault({}),
  http: z.strictObject({
    bodyLimitBytes: z.int().positive().default(1024 * 1024),
    trustProxy: z.boolean().default(false),
    /**
     * A second listener for operators: with it set, /metrics and the detailed /readyz are served only
     * there (bind it where only the scraper and the orchestrator reach), not on PORT.
     */
    opsPort: z.int().min(0).max(65535).optional(),
    /** The address the operations listener binds to; default: HOST. */
    opsHost: z.string().min(1).optional(),
  }).prefault({}),
  worker: workerSettings,
  watchdog: watchdogSettings,
  console: z.strictObject({
    /** A console sign-in lasts this long; then the API key must be given again. */
    sessionHours: z.number().positive().max(24 * 30).default(8),
  }).prefault({}),
});
export type ConfigFile = z.infer<typeof configFile>;
export type ConnectionConfig = z.infer<typeof connection>;
export type KoreaiConnectionConfig = z.infer<typeof koreaiConnection>;
export type CartesiaConnectionConfig = z.infer<typeof cartesiaConnection>;
export type WorkerSettings = z.infer<typeof workerSettings>;

const environment = z.object({
  DATABASE_URL: z.string().min(1).optional(),
  /**
   * The owner role's connection string, for migrations only. Set: migrations run as it and the role of
   * DATABASE_URL is granted only what the service needs (no UPDATE/DELETE on the audit tables, owns nothing).
   */
  MIGRATION_DATABASE_URL: z.string().min(1).optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROLE: z.enum(['all', 'api', 'worker']).default('all'),
  NODE_ENV: z.string().optional(),
  GATEWAY_CONFIG: z.string().min(1).optional(),
  /** Sandbox mode only: the API key to accept instead of a random one. */
  SANDBOX_API_KEY: z.string().min(16).optional(),
  /** Where the embedded database keeps its files. */
  DATA_DIR: z.string().min(1).default('./data'),
  /**
   * Apply pending migrations at start (the default). "false": a separate one-shot `node src/cli/migrate.ts`
   * does it (docker-compose); until then the process starts anyway and /readyz answers 503.
   */
  MIGRATE_ON_START: z
    .enum(['true', 'false'], { error: 'expected "true" or "false"' })
    .default('true')
    .transform((v) => v === 'true'),
});
export type Environment = z.infer<typeof environment>;

/** Secrets resolved from their references; kept apart so nothing serialises them by accident. */
export type ResolvedSecrets = ReadonlyMap<string, string>;

export type GatewayConfig = {
  env: Environment;
  /** True when no config file was given outside production: built-in simulators and a printed key. */
  sandbox: boolean;
  file: ConfigFile;
  /** Secret values by JSON path of their reference, e.g. `connections.0.clientSecret`. */
  secrets: ResolvedSecrets;
};

export class ConfigError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    super(`invalid configuration:\n  - ${issues.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

export type ReadFile = (path: string) => string;

function formatIssues(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path = i.path.length > 0 ? i.path.join('.') : '(root)';
    return `${prefix}${path}: ${i.message}`;
  });
}

/** Parses the environment alone (the config file may not exist yet, e.g. in sandbox mode). */
export function parseEnvironment(env: Record<string, string | undefined>): Environment {
  const parsed = environment.safeParse(env);
  if (!parsed.success) throw new ConfigError(formatIssues('env ', parsed.error));
  return parsed.data;
}

/** Parses a config document (already read) and resolves every secret reference in it. */
export function parseConfigFile(
  raw: unknown,
  env: Record<string, string | undefined>,
  readFile: ReadFile,
  source = 'config',
): { file: ConfigFile; secrets: ResolvedSecrets } {
  const parsed = configFile.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatIssues(`${source} `, parsed.error));
  const secrets = new Map<string, string>();
  const problems: string[] = [];
  const visit = (value: unknown, path: string[]): void => {
    if (value === null || typeof value !== 'object') return;
    const ref = secretRef.safeParse(value);
    if (ref.success && path.length > 0) {
      const key = path.join('.');
      if ('env' in ref.data) {
        const v = env[ref.data.env];
        if (v === undefined || v === '') problems.push(`${source} ${key}: environment variable ${ref.data.env} is not set`);
        else secrets.set(key, v);
      } else {
        try {
          const v = readFile(ref.data.file).trim();
          if (v === '') problems.push(`${source} ${key}: file ${ref.data.file} is empty`);
          else secrets.set(key, v);
        } catch {
          problems.push(`${source} ${key}: file ${ref.data.file} cannot be read`);
        }
      }
      return;
    }
    for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
  };
  visit(parsed.data, []);
  const names = new Set<string>();
  parsed.data.connections.forEach((c, i) => {
    if (names.has(c.name)) problems.push(`${source} connections.${i}.name: duplicate connection name "${c.name}"`);
    names.add(c.name);
  });
  const keyNames = new Set<string>();
  parsed.data.apiKeys.forEach((k, i) => {
    if (keyNames.has(k.name)) problems.push(`${source} apiKeys.${i}.name: duplicate API key name "${k.name}"`);
    keyNames.add(k.name);
  });
  // A tenant no key belongs to is a typo that would silently leave the real tenant on the defaults.
  const tenantsOfKeys = new Set(parsed.data.apiKeys.map((k) => k.tenant));
  for (const name of Object.keys(parsed.data.tenants)) {
    if (!tenantsOfKeys.has(name)) problems.push(`${source} tenants.${name}: no API key belongs to tenant "${name}" (apiKeys[].tenant, default: the key's name)`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { file: parsed.data, secrets };
}

/**
 * Loads the whole configuration: environment, then the GATEWAY_CONFIG file. Without a file outside
 * production the result is in sandbox mode (the caller adds the simulators' connections).
 */
export function loadConfig(env: Record<string, string | undefined>, readFile: ReadFile): GatewayConfig {
  const parsedEnv = parseEnvironment(env);
  const production = parsedEnv.NODE_ENV === 'production';
  if (parsedEnv.MIGRATION_DATABASE_URL !== undefined && parsedEnv.DATABASE_URL === undefined) {
    throw new ConfigError(['env MIGRATION_DATABASE_URL: needs DATABASE_URL (the runtime role it grants to); the embedded database has one role']);
  }
  if (production && parsedEnv.DATABASE_URL === undefined) {
    throw new ConfigError(['env DATABASE_URL: required when NODE_ENV=production (the embedded database is for development and the sandbox)']);
  }
  if (parsedEnv.GATEWAY_CONFIG === undefined) {
    if (production) throw new ConfigError(['env GATEWAY_CONFIG: required when NODE_ENV=production (sandbox mode is for development only)']);
    return { env: parsedEnv, sandbox: true, file: configFile.parse({ apiKeys: [placeholderKey] }), secrets: new Map() };
  }
  let text: string;
  try {
    text = readFile(parsedEnv.GATEWAY_CONFIG);
  } catch {
    throw new ConfigError([`env GATEWAY_CONFIG: file ${parsedEnv.GATEWAY_CONFIG} cannot be read`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([`config (root): not valid JSON (${(e as Error).message})`]);
  }
  const { file, secrets } = parseConfigFile(raw, env, readFile);
  return { env: parsedEnv, sandbox: false, file, secrets };
}

// Replaced by the sandbox's real key at start; never accepted because no one knows its preimage.
const placeholderKey = { name: 'sandbox', sha256: '0'.repeat(64), scopes: ['erasure:write'] };

/** A tenant's settings: as configured under `tenants`, else the defaults. */
export function tenantSettingsOf(config: Pick<GatewayConfig, 'file'>, tenant: string): TenantSettings {
  return config.file.tenants[tenant] ?? { maxOpenTasks: DEFAULT_MAX_OPEN_TASKS };
}

/** The resolved value of a secret reference at `path` (e.g. `connections.0.clientSecret`). */
export function secretAt(config: Pick<GatewayConfig, 'secrets'>, path: string): string {
  const v = config.secrets.get(path);
  if (v === undefined) throw new Error(`secret ${path} is not configured`);
  return v;
}

export { configFile as configFileSchema };

/** A connection's resolved secret, e.g. connectionSecret(config, 'kore-support', 'clientSecret'). */
export function connectionSecret(config: Pick<GatewayConfig, 'file' | 'secrets'>, name: string, field: string): string | undefined {
  const index = config.file.connections.findIndex((c) => c.name === name);
  if (index < 0) return undefined;
  return config.secrets.get(`connections.${index}.${field}`);
}
