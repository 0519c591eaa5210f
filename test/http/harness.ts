// Builds the API for a test: the real buildApp() with a config with known API keys and connections, the
// test's database, a manual clock, an ephemeral evidence key, and (optionally) a stream that captures
// every log line.
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, type AppDeps, type ZodApp } from '../../src/app.ts';
import { manualClock, randomIds, type Clock } from '../../src/clock.ts';
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/database.ts';
import { ephemeralSigningKey, type EvidencePublicJwk, type EvidenceSigningKey } from '../../src/evidence/signing-key.ts';
import { sha256Hex } from '../../src/http/plugins/auth.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { PORTAL_TENANT } from '../audit/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';

/** API keys known to the test config, by what they may do. */
export const KEYS = {
  writer: 'egk_test_writer_0123456789abcdef',
  reader: 'egk_test_reader_0123456789abcdef',
  auditor: 'egk_test_auditor_0123456789abcde',
  writeOnly: 'egk_test_writeonly_0123456789abc',
} as const;

export function bearer(key: string): { authorization: string } {
  return { authorization: `Bearer ${key}` };
}

export const TEST_SECRETS_ENV = {
  KORE_SUPPORT_SECRET: 'kore-support-client-secret',
  KORE_SALES_SECRET: 'kore-sales-client-secret',
  CARTESIA_KEY: 'sk_car_test',
  CALLBACK_SECRET: 'callback-secret',
  SUBJECT_HASH_KEY: 'subject-hash-key-for-tests',
};

export function testConfigFile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    // One portal with three keys (one tenant), and compliance auditors who read every tenant.
    apiKeys: [
      { name: 'portal', sha256: sha256Hex(KEYS.writer), scopes: ['erasure:write', 'erasure:read'], tenant: PORTAL_TENANT },
      { name: 'reader', sha256: sha256Hex(KEYS.reader), scopes: ['erasure:read'], tenant: PORTAL_TENANT },
      { name: 'auditors', sha256: sha256Hex(KEYS.auditor), scopes: ['audit:read'], allTenants: true },
      { name: 'write-only', sha256: sha256Hex(KEYS.writeOnly), scopes: ['erasure:write'], tenant: PORTAL_TENANT },
    ],
    connections: [
      { name: 'kore-support', type: 'koreai', baseUrl: 'https://kore.example', botId: 'st-1', clientId: 'cs-1', clientSecret: { env: 'KORE_SUPPORT_SECRET' } },
      { name: 'kore-sales', type: 'koreai', baseUrl: 'https://kore.example', botId: 'st-2', clientId: 'cs-2', clientSecret: { env: 'KORE_SALES_SECRET' } },
      { name: 'cartesia-prod', type: 'cartesia', apiKey: { env: 'CARTESIA_KEY' } },
    ],
    callbacks: { allowedHosts: ['portal.internal', '*.example.com'], secret: { env: 'CALLBACK_SECRET' } },
    privacy: { subjectHashKey: { env: 'SUBJECT_HASH_KEY' } },
    ...overrides,
  };
}

export function testConfig(overrides: Record<string, unknown> = {}): GatewayConfig {
  const { file, secrets } = parseConfigFile(testConfigFile(overrides), TEST_SECRETS_ENV, () => {
    throw new Error('no files in tests');
  });
  return { env: parseEnvironment({ LOG_LEVEL: 'silent' }), sandbox: false, file, secrets };
}

/** The `kid` of the evidence key buildTestApp() makes unless given one. */
export const TEST_EVIDENCE_KID = 'test-evidence-key';

export type TestApp = {
  app: ZodApp;
  deps: AppDeps;
  /** The manual clock the app runs on (when built with `clock`, that one: then `set`/`advance` do not exist). */
  clock: ReturnType<typeof manualClock>;
  /** Signs evidence; its public half is at /.well-known/jwks.json. */
  evidenceKey: EvidenceSigningKey;
  /** Every log line written so far (when built with captureLogs). */
  logs(): string;
  close(): Promise<void>;
};

export async function buildTestApp(
  database: Database,
  options: {
    config?: GatewayConfig;
    captureLogs?: boolean;
    now?: string;
    /** Another clock (e.g. systemClock next to a running worker) instead of the manual one. */
    clock?: Clock;
    evidenceKey?: EvidenceSigningKey;
    /** Retired keys the JWKS still publishes (evidence.previousKeys). */
    evidencePreviousKeys?: readonly EvidencePublicJwk[];
    wakeWorkers?: () => void;
  } = {},
): Promise<TestApp> {
  const clock = (options.clock ?? manualClock(options.now ?? '2026-03-10T12:00:00.000Z')) as ReturnType<typeof manualClock>;
  const evidenceKey = options.evidenceKey ?? ephemeralSigningKey(TEST_EVIDENCE_KID);
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const logger = createLogger(options.captureLogs === true ? 'trace' : 'silent', {}, sink);
  const deps: AppDeps = {
    config: options.config ?? testConfig(),
    database,
    clock,
    ids: randomIds,
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
    evidenceKey,
    evidencePreviousKeys: options.evidencePreviousKeys ?? [],
    wakeWorkers: options.wakeWorkers,
  };
  const app = await buildApp(deps);
  return { app, deps, clock, evidenceKey, logs: () => lines.join(''), close: () => app.close() };
}

/** A small valid body; override fields per test. */
export function requestBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalRef: 'TICKET-1',
    regulation: 'gdpr',
    targets: [
      { type: 'koreai.conversations', connection: 'kore-support', conversationIds: ['c-1', 'c-2'] },
      { type: 'koreai.recordings', connection: 'kore-support', sessionIds: ['s-1'] },
      { type: 'cartesia.calls', connection: 'cartesia-prod', callIds: ['call-1', 'call-2'] },
    ],
    ...overrides,
  };
}

/**
 * Rows in every application table, e.g. `{ erasure_request: 1, task: 3, … }`. Left out: migration
 * bookkeeping, and api_key_rate — the per-key write counter, which counts every POST, refused ones too,
 * and holds one row per key, no request data.
 */
export async function countAllRows(database: Database): Promise<Record<string, number>> {
  const tables = await database.pool.query<{ table_name: string }>(
    `select table_name from information_schema.tables
      where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like 'kysely_migration%'
        and table_name <> 'api_key_rate'
      order by table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { table_name } of tables.rows) {
    const r = await database.pool.query<{ n: number }>(`select count(*)::int as n from "${table_name}"`);
    counts[table_name] = r.rows[0]?.n ?? 0;
  }
  return counts;
}

/** Every problem answer looks like this, whatever went wrong. */
export function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }): ProblemShape {
  const contentType = String(response.headers['content-type'] ?? '');
  if (!contentType.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${contentType} (status ${response.statusCode})`);
  }
  const body = response.json() as ProblemShape;
  if (typeof body.type !== 'string' || !body.type.startsWith('https://erasure-gateway.dev/problems/')) throw new Error(`problem without a stable type: ${JSON.stringify(body)}`);
  if (body.status !== response.statusCode) throw new Error(`problem status ${body.status} differs from HTTP ${response.statusCode}`);
  if (typeof body.title !== 'string' || typeof body.detail !== 'string' || typeof body.instance !== 'string') throw new Error(`incomplete problem: ${JSON.stringify(body)}`);
  return body;
}

export type ProblemShape = {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  errors?: { path: string; message: string }[];
};

export const PROBLEM = (kind: string) => `https://erasure-gateway.dev/problems/${kind}`;

/**
 * One fresh database and app for the whole test file: created before its tests, closed after them.
 * `use` hands them to the file's own variables.
 */
export function useTestApp(use: (t: TestApp, database: TestDatabase) => void): void {
  let database: TestDatabase | undefined;
  let t: TestApp | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    t = await buildTestApp(database);
    use(t, database);
  });
  afterAll(async () => {
    await t?.close();
    await database?.close();
  });
}
