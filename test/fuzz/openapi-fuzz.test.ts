// Property-based fuzzing of every operation in openapi/openapi.json: thousands of generated requests —
// valid ones and ones wrong in every way a caller gets things wrong — against the real app and a real
// database. Whatever is sent: never a 5xx; every error is application/problem+json with a stable `type`,
// a `title` and the HTTP `status`; a request valid in every part succeeds (a submit answers 202).
// Seeded: FUZZ_SEED=<n> replays a run (the seed is printed, and fast-check names it on failure).
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import type { Worker } from '../../src/worker/worker.ts';
import { BOT, cartesiaTestConnection, koreTestConnection, SECRET_ENV, startSimulators, startTestWorker, waitFor, type Simulators } from '../engine/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, TEST_SECRETS_ENV, testConfigFile, type TestApp } from '../http/harness.ts';
import {
  describeRequest,
  readOperations,
  requestsFor,
  strayRequests,
  type ApiOperation,
  type FuzzHints,
  type GeneratedRequest,
  type OpenApiDocument,
} from './openapi-requests.ts';

const doc = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8')) as OpenApiDocument;
const operations = readOperations(doc);
const SEED = process.env.FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED);
/** Requests per operation (about 4,200 in all, 10–20 s on an idle machine); the submit gets the most, it has the richest input. */
const RUNS: Record<string, number> = { createErasureRequest: 1200, listErasureRequests: 500 };
const DEFAULT_RUNS = 200;
const STRAY_RUNS = 300;

const CONNECTIONS = {
  koreai: ['kore-support', 'kore-sales'],
  cartesia: ['cartesia-prod', 'cartesia-bad'],
} as const;

let database: TestDatabase;
let sims: Simulators;
let t: TestApp;
const existing: string[] = [];
const accepted = new Set<string>();
const tally = new Map<string, Map<number, number>>();
const undocumented = new Map<string, { count: number; example: string }>();
let total = 0;

function fuzzConfig(): GatewayConfig {
  const kore = (name: string) => koreTestConnection(name, sims.koreUrl, { limits: { windows: [], concurrency: 8 }, jobPollIntervalSeconds: 0.2, recordingRecheckSeconds: 0.2, recordingConfirmDelaySeconds: 0.1 });
  const cartesia = (name: string, keyEnv: string) => cartesiaTestConnection(name, sims.cartesiaUrl, { apiKey: { env: keyEnv } });
  // Thousands of writes in seconds: far over the default 600 a minute, which would turn valid requests into 429s.
  const apiKeys = (testConfigFile().apiKeys as Array<Record<string, unknown>>).map((k) => ({ ...k, rateLimit: { perMinute: 1_000_000 } }));
  const raw = testConfigFile({
    apiKeys,
    connections: [kore('kore-support'), kore('kore-sales'), cartesia('cartesia-prod', 'ENGINE_CARTESIA_KEY'), cartesia('cartesia-bad', 'WRONG_CARTESIA_KEY')],
  });
  const { file, secrets } = parseConfigFile(raw, { ...TEST_SECRETS_ENV, ...SECRET_ENV, WRONG_CARTESIA_KEY: 'sk_car_wrong' }, () => {
    throw new Error('no files in tests');
  });
  return { env: parseEnvironment({ LOG_LEVEL: 'silent' }), sandbox: false, file, secrets };
}

async function submit(body: Record<string, unknown>): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: bearer(KEYS.writer), payload: body });
  expect(res.statusCode, res.body).toBe(202);
  return (res.json() as { id: string }).id;
}

async function statusOf(id: string): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(KEYS.reader) });
  return (res.json() as { status: string }).status;
}

/** Requests in every state, for the operations on one request to find. */
async function seedRequests(config: GatewayConfig): Promise<void> {
  sims.cartesia.control.seedCalls([{ id: 'ac_fuzz_done_1', status: 'completed' }, { id: 'ac_fuzz_done_2', status: 'failed' }]);
  sims.kore.control.seedConversations(BOT.botId, [{ id: 'conv-fuzz-1' }]);
  const completed = await submit({
    externalRef: 'FUZZ-COMPLETED',
    regulation: 'gdpr',
    subject: { email: 'fuzz.subject@example.com', externalIds: { crm: '42' } },
    callbackUrl: 'https://portal.internal/hooks/erasure',
    targets: [
      { type: 'cartesia.calls', connection: 'cartesia-prod', callIds: ['ac_fuzz_done_1', 'ac_fuzz_done_2', 'ac_fuzz_unknown'] },
      { type: 'koreai.conversations', connection: 'kore-support', conversationIds: ['conv-fuzz-1'] },
    ],
  });
  const failed = await submit({ externalRef: 'FUZZ-FAILED', regulation: 'ccpa', targets: [{ type: 'cartesia.calls', connection: 'cartesia-bad', callIds: ['ac_fuzz_x'] }] });
  const cancelled = await submit({ regulation: 'other', targets: [{ type: 'koreai.recordings', connection: 'kore-sales', sessionIds: ['s-fuzz-1', 's-fuzz-2'] }] });
  const cancel = await t.app.inject({ method: 'POST', url: `/v1/erasure-requests/${cancelled}/cancel`, headers: bearer(KEYS.writer) });
  expect(cancel.statusCode, cancel.body).toBe(200);

  const worker: Worker = startTestWorker(database, config);
  try {
    await waitFor(async () => (await statusOf(completed)) === 'completed' && (await statusOf(failed)) === 'failed', {
      timeoutMs: 45_000,
      what: 'the seeded requests to complete and to fail',
    });
  } finally {
    await worker.stop();
  }
  // Submitted with no worker running: stays pending.
  const pending = await submit({ regulation: 'gdpr', dueAt: '2020-01-01T00:00:00Z', targets: [{ type: 'koreai.channel_user', connection: 'kore-support', cId: 'u-fuzz' }] });
  existing.push(completed, failed, cancelled, pending);
}

beforeAll(async () => {
  console.log(`[fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  database = await createTestDatabase();
  sims = await startSimulators({ jobDelayMs: 50 });
  const config = fuzzConfig();
  t = await buildTestApp(database, { config, clock: systemClock });
  await seedRequests(config);
}, 90_000);

afterAll(async () => {
  await t?.close();
  await sims?.close();
  await database?.close();
});

// ---- the domain rules the document cannot say --------------------------------------------------------

const DAY = 86_400_000;
const pastInstant = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date(Date.now() - 2 * DAY), noInvalidDate: true });
const targetDate = fc.oneof(
  pastInstant.map((d) => d.toISOString().slice(0, 10)),
  pastInstant.map((d) => d.toISOString()),
  fc.tuple(pastInstant, fc.integer({ min: -12, max: 12 })).map(([d, h]) => {
    // The same instant written with an offset of h hours.
    const local = new Date(d.getTime() + h * 3_600_000).toISOString().slice(0, 19);
    return `${local}${h < 0 ? '-' : '+'}${String(Math.abs(h)).padStart(2, '0')}:00`;
  }),
);
const instantOf = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? Date.parse(`${v}T00:00:00Z`) : Date.parse(v));

function connectionFor(type: string, seed: string): string {
  const names = type.startsWith('cartesia') ? CONNECTIONS.cartesia : CONNECTIONS.koreai;
  return names[seed.length % names.length]!;
}

const hints: FuzzHints = {
  keys: [
    { token: KEYS.writer, scopes: ['erasure:write', 'erasure:read'] },
    { token: KEYS.reader, scopes: ['erasure:read'] },
    { token: KEYS.auditor, scopes: ['audit:read'] },
    { token: KEYS.writeOnly, scopes: ['erasure:write'] },
  ],
  sharedIdempotencyKeys: ['fuzz-shared-1', 'fuzz-shared-2'],
  existing: (_op, param) => (param === 'id' ? fc.constantFrom(...existing) : undefined),
  validValue(location) {
    switch (location) {
      case 'body.callbackUrl':
        return fc
          .tuple(fc.constantFrom('portal.internal', 'hooks.example.com', 'a.b.example.com'), fc.webPath(), fc.option(fc.webQueryParameters(), { nil: undefined }))
          .map(([host, path, query]) => `https://${host}${path}${query === undefined ? '' : `?${query}`}`);
      case 'body.targets[].startDate':
      case 'body.targets[].endDate':
        return targetDate;
      case 'body.targets[].conversationIds':
        // Now and then more than one upstream job's worth (100), to cross the split.
        return fc.oneof(
          { weight: 4, arbitrary: fc.uniqueArray(fc.stringMatching(/^[a-f0-9]{24}$/), { minLength: 1, maxLength: 6 }) },
          { weight: 1, arbitrary: fc.integer({ min: 99, max: 250 }).map((n) => Array.from({ length: n }, (_, i) => `conv-${i}`)) },
        );
      case 'body.dueAt':
        // Any instant the resource can show back (four-digit years in UTC), written with any offset.
        return fc
          .tuple(fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: -23, max: 23 }))
          .map(([d, h]) => {
            if (h === 0) return d.toISOString();
            const local = new Date(d.getTime() + h * 3_600_000).toISOString().slice(0, 19);
            return `${local}${h < 0 ? '-' : '+'}${String(Math.abs(h)).padStart(2, '0')}:00`;
          });
      case 'body.targets[].from':
      case 'body.targets[].to':
      case 'body.targets[].since':
        // Discovery ranges: in the past, within the connections' discovery.maxRangeDays (730).
        return fc.date({ min: new Date(Date.now() - 700 * DAY), max: new Date(Date.now() - 2 * DAY), noInvalidDate: true }).map((d) => d.toISOString());
      case 'query.cursor':
        // A real cursor only comes from a previous page: a made-up one is invalid (sent as junk instead).
        return fc.constant(undefined);
      default:
        return undefined;
    }
  },
  adjustValid(location, value) {
    if (location === 'body.targets[]' && value !== null && typeof value === 'object') {
      const target = { ...(value as Record<string, unknown>) };
      target.connection = connectionFor(String(target.type), JSON.stringify(target));
      const { startDate, endDate } = target as { startDate?: string; endDate?: string };
      if (startDate !== undefined && endDate !== undefined && instantOf(endDate) < instantOf(startDate)) {
        target.startDate = endDate;
        target.endDate = startDate;
      }
      // Identity targets need an identity and a forward range; Cartesia ones an agent (none is configured).
      if (target.type === 'koreai.user') {
        target.userId ??= 'fuzz-user';
        const { from, to } = target as { from?: string; to?: string };
        if (from !== undefined && to !== undefined && instantOf(to) <= instantOf(from)) {
          target.from = new Date(instantOf(to) - DAY).toISOString();
        }
      }
      if (target.type === 'cartesia.subject') {
        target.agentIds ??= ['agent_fuzz'];
        // Without phones the target searches subject.phone, which the document lets be written without a country code (a 400 here).
        target.phones ??= ['+14155550123'];
      }
      return target;
    }
    if (location === 'body.subject' && value !== null && typeof value === 'object' && Object.keys(value).length === 0) {
      return { userId: 'subject-1' };
    }
    return value;
  },
};

// ---- what every answer must look like ----------------------------------------------------------------

type Answer = Awaited<ReturnType<TestApp['app']['inject']>>;

const PROBLEM_TYPE = /^https:\/\/erasure-gateway\.dev\/problems\/[a-z-]+$/;

function record(operationId: string, status: number): void {
  total += 1;
  const byStatus = tally.get(operationId) ?? new Map<number, number>();
  byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  tally.set(operationId, byStatus);
}

function checkAnswer(op: ApiOperation | null, r: GeneratedRequest, res: Answer): void {
  const context = () =>
    `seed ${SEED}\n  request: ${describeRequest(r)}\n  answer: ${res.statusCode} ${String(res.headers['content-type'])} ${res.body.slice(0, 600)}`;
  expect(res.statusCode, `no 5xx, whatever is sent — ${context()}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(String(res.headers['content-type']), `errors are problem+json — ${context()}`).toMatch(/^application\/problem\+json/);
    const body = res.json() as { type?: unknown; title?: unknown; status?: unknown };
    expect(body.type, `problem type — ${context()}`).toMatch(PROBLEM_TYPE);
    expect(typeof body.title === 'string' && body.title !== '', `problem title — ${context()}`).toBe(true);
    expect(body.status, `problem status — ${context()}`).toBe(res.statusCode);
  }
  expect(res.headers['x-request-id'], `x-request-id — ${context()}`).toBeTruthy();
  if (op === null) return;
  const documented = [...op.responses.keys()];
  if (!documented.includes(res.statusCode)) {
    const key = `${op.method} ${op.path} → ${res.statusCode}`;
    const seen = undocumented.get(key);
    if (seen === undefined) undocumented.set(key, { count: 1, example: `${describeRequest(r).slice(0, 300)} → ${res.body.slice(0, 160)}` });
    else seen.count += 1;
  }
  if (r.expectSuccess && (op.method === 'GET' || op.operationId === 'createErasureRequest')) {
    const success = documented.filter((s) => s >= 200 && s < 300);
    expect(success, `a request valid in every part succeeds — ${context()}`).toContain(res.statusCode);
  }
  if (res.statusCode >= 200 && res.statusCode < 300) {
    expect(documented, `a success is a documented status — ${context()}`).toContain(res.statusCode);
    const media = op.responses.get(res.statusCode) ?? [];
    if (media.length > 0) {
      const type = String(res.headers['content-type']).split(';')[0]!.trim();
      expect(media, `the documented media type — ${context()}`).toContain(type);
    }
  }
  if (op.operationId === 'createErasureRequest' && res.statusCode === 202) {
    const id = (res.json() as { id: string }).id;
    expect(res.headers.location, `Location names the request — ${context()}`).toBe(`/v1/erasure-requests/${id}`);
    accepted.add(id);
  }
}

const slowest: { ms: number; what: string }[] = [];
const timeByAnswer = new Map<string, number>();

async function send(r: GeneratedRequest): Promise<Answer> {
  const started = performance.now();
  const res = await t.app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, ...(r.payload === undefined ? {} : { payload: r.payload }) });
  const ms = performance.now() - started;
  const key = `${r.operationId} ${res.statusCode}`;
  timeByAnswer.set(key, (timeByAnswer.get(key) ?? 0) + ms);
  if (slowest.length < 5 || ms > slowest.at(-1)!.ms) {
    slowest.push({ ms, what: `${res.statusCode} ${describeRequest(r).slice(0, 300)}` });
    slowest.sort((a, b) => b.ms - a.ms).splice(5);
  }
  return res;
}

// ---- the properties ----------------------------------------------------------------------------------

describe('fuzzing every operation of openapi/openapi.json', () => {
  operations.forEach((op, index) => {
    const runs = RUNS[op.operationId] ?? DEFAULT_RUNS;
    it(`${op.method} ${op.path} (${runs} generated requests)`, { timeout: 120_000 }, async () => {
      await fc.assert(
        fc.asyncProperty(requestsFor(doc, op, hints), async (r) => {
          const res = await send(r);
          record(op.operationId, res.statusCode);
          checkAnswer(op, r, res);
        }),
        { seed: SEED + index, numRuns: runs },
      );
    });
  });

  it(`undocumented paths and methods (${STRAY_RUNS} generated requests)`, { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(strayRequests(operations, hints), async (r) => {
        const res = await send(r);
        record('stray', res.statusCode);
        checkAnswer(null, r, res);
        if (r.expectStatus !== undefined) {
          expect(res.statusCode, describeRequest(r)).toBe(r.expectStatus);
          expect(res.headers.allow, `405 names the methods — ${describeRequest(r)}`).toBeTruthy();
        }
      }),
      { seed: SEED + operations.length, numRuns: STRAY_RUNS },
    );
  });

  it('afterwards: every accepted request exists and is whole (request, tasks, first event); nothing else was written', async () => {
    const summary = [...tally].map(([op, byStatus]) => `${op}: ${[...byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`).join(' ')}`);
    console.log(`[fuzz] ${total} requests, seed ${SEED}\n  ${summary.join('\n  ')}`);
    if (undocumented.size > 0) {
      console.log(`[fuzz] answers the document does not list:\n  ${[...undocumented].map(([k, u]) => `${k} ×${u.count}, e.g. ${u.example}`).join('\n  ')}`);
    }
    console.log(`[fuzz] time by answer: ${[...timeByAnswer].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${Math.round(v)} ms`).join(', ')}`);
    console.log(`[fuzz] slowest answers:\n  ${slowest.map((x) => `${Math.round(x.ms)} ms ${x.what}`).join('\n  ')}`);
    expect(total).toBeGreaterThanOrEqual(3000);
    expect(accepted.size).toBeGreaterThan(50);

    const rows = await sql<{ id: string; task_count: number; tasks: number; first_event: string | null }>`
      select r.id, r.task_count,
             (select count(*)::int from task k where k.request_id = r.id and k.type <> 'callback') as tasks,
             (select e.type from request_event e where e.request_id = r.id order by e.seq limit 1) as first_event
        from erasure_request r`.execute(database.db);
    const ids = new Set(rows.rows.map((row) => row.id));
    for (const id of accepted) expect(ids.has(id), `accepted request ${id} is stored`).toBe(true);
    // Only what was accepted (and the four seeded requests) was written: a refusal leaves nothing.
    expect(rows.rows.length).toBe(accepted.size + existing.length);
    for (const row of rows.rows) {
      expect(row.tasks, `request ${row.id} has all its tasks`).toBe(row.task_count);
      expect(row.first_event, `request ${row.id} starts its trail`).toBe('request.created');
    }
  });
});
