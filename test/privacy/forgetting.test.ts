// The gateway forgets the person completely, and its trail never held what it forgets: a whole run —
// intake, a worker erasing at the simulators, the callback, evidence signed at finality — then the purge;
// after it a pg_dump of the database holds none of the subject's identities, the channel user id or the
// callback URL, and the tasks and evidence show keyed hashes. A second run with upstream errors: the
// event table's dump holds none of the upstreams' message texts, which the task rows did hold.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomIds, systemClock } from '../../src/clock.ts';
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import { identityHash } from '../../src/domain/subject.ts';
import { ephemeralSigningKey } from '../../src/evidence/signing-key.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { purgeExpiredPersonalData } from '../../src/privacy/purge-expired-subjects.ts';
import { KOREAI_MESSAGES } from '../../src/simulators/index.ts';
import { startWorkerRole, type RunningWorker } from '../../src/worker-role.ts';
import { startCallbackReceiver, type CallbackReceiver } from '../audit/callback-receiver.ts';
import { BOT, cartesiaTestConnection, koreTestConnection, SECRET_ENV, startSimulators, waitFor, type Simulators } from '../engine/helpers.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, TEST_SECRETS_ENV, testConfigFile, type TestApp } from '../http/harness.ts';

const run = promisify(execFile);
const PG_DUMP = '/usr/lib/postgresql/15/bin/pg_dump';

const SUBJECT = { email: 'Forget.Me@Example.ORG', phone: '+44 20 7946 0321', name: 'Forget Me Not', userId: 'crm-user-77631', externalIds: { crm: 'CRM-998877' } };
// Callers put e-mail addresses in cId: this one is the person's second address.
const CID = 'forget.me.channel@example.net';
const TOKEN = 'cb-token-5f0c2e9a1b';
const CARTESIA_404 = 'Call not found.';
const CARTESIA_500 = 'Deletion did not complete. Retry the request; deletion is idempotent.';
const KORE_DELETED = 'Call recordings deleted successfully';

let t: TestDatabase;
let sims: Simulators;
let receiver: CallbackReceiver;
let api: TestApp;
let worker: RunningWorker;
let config: GatewayConfig;
const evidenceKey = ephemeralSigningKey('forgetting-test');

beforeAll(async () => {
  t = await createTestDatabase();
  sims = await startSimulators({ jobDelayMs: 100 });
  receiver = await startCallbackReceiver();
  sims.kore.control.seedConversations(BOT.botId, [{ id: 'conv-forget-1', cId: CID }, { id: 'conv-forget-2', cId: CID }]);
  sims.kore.control.seedSessions(BOT.botId, [{ sessionId: 'sess-forget-1', userId: 'u-forget', recording: { status: 'success' } }]);
  sims.cartesia.control.seedCalls([{ id: 'ac_forget_done', status: 'completed' }]);
  const raw = testConfigFile({
    connections: [
      koreTestConnection('kore', sims.koreUrl, { jobPollIntervalSeconds: 0.2 }),
      cartesiaTestConnection('cartesia', sims.cartesiaUrl),
      // The same simulator, for the second run: every call answered 500 until the task gives up.
      cartesiaTestConnection('cartesia-failing', sims.cartesiaUrl),
    ],
    callbacks: { allowedHosts: ['127.0.0.1'], allowPrivateNetworks: true, allowedPorts: [receiver.port], secret: { env: 'CALLBACK_SECRET' } },
    privacy: { subjectHashKey: { env: 'SUBJECT_HASH_KEY' }, purgeSubjectAfterDays: 30 },
    worker: { pollIntervalMs: 100, sweepIntervalMs: 250, leaseSeconds: 10, backoffBaseMs: 20, backoffCapMs: 100, maxAttempts: 3 },
  });
  const parsed = parseConfigFile(raw, { ...TEST_SECRETS_ENV, ...SECRET_ENV }, () => {
    throw new Error('no files');
  });
  config = { env: parseEnvironment({ LOG_LEVEL: 'silent' }), sandbox: false, ...parsed };
  api = await buildTestApp(t, { config, clock: systemClock, evidenceKey });
  worker = await startWorkerRole({
    config,
    database: t,
    clock: systemClock,
    ids: randomIds,
    logger: createLogger('silent'),
    metrics: createMetrics({ defaultMetrics: false }),
    workerId: 'forgetting',
    evidenceKey,
  });
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await receiver?.close();
  await sims?.close();
  await t?.close();
});

// pg_dump needs a real Postgres server: absent binary, or the embedded engine (PGlite), and these skip.
const pgDumpAvailable = existsSync(PG_DUMP) && inject('adminDatabaseUrl') !== null;

/** The whole database as pg_dump writes it (as a superuser: every table, every row). */
async function pgDump(...args: string[]): Promise<string> {
  const { stdout } = await run(PG_DUMP, ['--no-owner', '--no-privileges', ...args, `--dbname=${t.admin.url}`], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

async function submit(payload: Record<string, unknown>): Promise<string> {
  const res = await api.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: { ...bearer(KEYS.writer), 'idempotency-key': `forget-${Date.now()}` }, payload });
  expect(res.statusCode).toBe(202);
  worker.wake();
  return res.json().id as string;
}

const finalRequest = (id: string) =>
  waitFor(
    async () => {
      const row = await t.db.selectFrom('erasure_request').select(['status', 'completed_at']).where('id', '=', id).executeTakeFirstOrThrow();
      return row.completed_at === null ? undefined : row;
    },
    { timeoutMs: 30_000, what: `request ${id} to be final` },
  );

/** Every stored JWS payload (evidence, checkpoints), decoded: base64url would hide a value from a text search. */
async function decodedSignatures(): Promise<string> {
  const evidence = await t.admin.db.selectFrom('request_evidence').select('jws').execute();
  const checkpoints = await t.admin.db.selectFrom('audit_checkpoint').select('jws').execute();
  return [...evidence, ...checkpoints].map((r) => Buffer.from(r.jws.split('.')[1]!, 'base64url').toString('utf8')).join('\n');
}

const identityNeedles = [SUBJECT.email, SUBJECT.email.toLowerCase(), SUBJECT.phone, '+442079460321', '2079460321', SUBJECT.name, SUBJECT.userId, SUBJECT.externalIds.crm, CID, TOKEN];

describe.skipIf(!pgDumpAvailable)('complete forgetting (pg_dump at /usr/lib/postgresql/15/bin/pg_dump, on a Postgres server)', () => {
  it('after the purge, a pg_dump of the database holds no identity, channel user id or callback URL; tasks and evidence show keyed hashes', { timeout: 60_000 }, async () => {
    const callbackUrl = `${receiver.url}?token=${TOKEN}`;
    const id = await submit({
      externalRef: 'FORGET-1',
      regulation: 'gdpr',
      subject: SUBJECT,
      callbackUrl,
      targets: [
        { type: 'koreai.channel_user', connection: 'kore', cId: CID },
        { type: 'koreai.recordings', connection: 'kore', sessionIds: ['sess-forget-1'] },
        { type: 'cartesia.calls', connection: 'cartesia', callIds: ['ac_forget_done', 'ac_forget_never_existed'] },
      ],
    });
    const done = await finalRequest(id);
    expect(done.status).toBe('completed');
    expect(new Set(sims.kore.control.deleted().conversations.map((c) => c.conversationId))).toEqual(new Set(['conv-forget-1', 'conv-forget-2']));
    // Signed and stored in the transaction that made the request final: nobody fetched it yet.
    const stored = await t.db.selectFrom('request_evidence').select(['id', 'jws']).where('request_id', '=', id).execute();
    expect(stored).toHaveLength(1);
    await waitFor(async () => receiver.received.length > 0, { timeoutMs: 10_000, what: 'the callback' });
    await waitFor(
      async () => (await t.db.selectFrom('task').select('state').where('request_id', '=', id).where('type', '=', 'callback').executeTakeFirst())?.state === 'succeeded',
      { timeoutMs: 10_000, what: 'the callback task to be settled' },
    );

    // Before the purge the database does hold them — so the search below means something. (The vendors'
    // success and not-found texts are never stored at all: the classifiers keep codes, not messages.)
    const before = await pgDump();
    for (const needle of [SUBJECT.email, CID, TOKEN, callbackUrl]) expect(before.includes(needle), needle).toBe(true);
    for (const text of [KORE_DELETED, CARTESIA_404]) expect(before.includes(text), text).toBe(false);
    const evidenceBefore = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: bearer(KEYS.auditor) })).body;

    const purgeAt = new Date(done.completed_at!.getTime() + 31 * 86_400_000);
    expect(await purgeExpiredPersonalData(t.db, purgeAt, 30, { hashKey: TEST_SECRETS_ENV.SUBJECT_HASH_KEY })).toBe(1);

    const dump = await pgDump();
    const signatures = await decodedSignatures();
    for (const needle of [...identityNeedles, callbackUrl, receiver.url, '/hooks/erasure?token']) {
      expect(dump.includes(needle), `pg_dump holds ${needle}`).toBe(false);
      expect(signatures.includes(needle), `a stored signature holds ${needle}`).toBe(false);
    }
    for (const text of [KORE_DELETED, CARTESIA_404]) expect(dump.includes(text), `pg_dump holds "${text}"`).toBe(false);
    expect(dump).toContain('ac_forget_done'); // record-level ids stay: they identify records, not people
    expect(dump).toContain('sess-forget-1');

    // What the caller and the auditor see now: keyed hashes.
    const cIdHash = { keyedHash: identityHash(TEST_SECRETS_ENV.SUBJECT_HASH_KEY, 'cId', CID) };
    const tasks = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/tasks`, headers: bearer(KEYS.reader) })).json();
    const channelUser = tasks.data.find((x: { type: string }) => x.type === 'koreai.channel_user');
    expect(channelUser.locator).toEqual({ cId: cIdHash });
    const callbackTask = tasks.data.find((x: { type: string }) => x.type === 'callback');
    expect(callbackTask.locator.url).toEqual({ keyedHash: identityHash(TEST_SECRETS_ENV.SUBJECT_HASH_KEY, 'callbackUrl', callbackUrl) });
    const resource = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(KEYS.reader) })).json();
    expect(resource).toMatchObject({ callbackUrl: null, subjectProvided: true });
    const evidence = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: bearer(KEYS.auditor) });
    expect(evidence.body).toBe(evidenceBefore);
    const payload = evidence.json().payload;
    expect(payload.tasks.find((x: { type: string }) => x.type === 'koreai.channel_user').locator).toEqual({ cId: cIdHash });
    expect(payload.request.subjectHashes).toMatchObject({ email: identityHash(TEST_SECRETS_ENV.SUBJECT_HASH_KEY, 'email', SUBJECT.email.toLowerCase()) });
    expect((await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events/verify`, headers: bearer(KEYS.auditor) })).json()).toMatchObject({ valid: true });
    console.log(`[forgetting] pg_dump before the purge: ${before.length} bytes, after: ${dump.length} bytes; ${identityNeedles.length + 3} needles, 0 found after`);
  });

  it('after a run with upstream errors, the event table holds no upstream message text (the task rows did)', { timeout: 60_000 }, async () => {
    sims.cartesia.control.seedCalls([{ id: 'ac_forget_500', status: 'completed' }]);
    sims.kore.control.seedSessions(BOT.botId, [{ sessionId: 'sess-forget-2', userId: 'u-forget', recording: { status: 'success' } }]);
    // Every call delete answered 500 with Cartesia's message, until the task gives up (maxAttempts 3);
    // a third of Kore.ai's answers are 500s too.
    sims.cartesia.control.setFaults({ seed: 3, routes: { 'cartesia.calls.delete': { errorRate: 1 } } });
    sims.kore.control.setFaults({ seed: 3, routes: { '*': { errorRate: 0.3 } } });
    let id: string;
    try {
      id = await submit({ regulation: 'gdpr', targets: [{ type: 'cartesia.calls', connection: 'cartesia-failing', callIds: ['ac_forget_500'] }] });
      expect((await finalRequest(id)).status).toBe('failed');
    } finally {
      sims.cartesia.control.setFaults({});
    }
    // Then answers with words of their own: Cartesia's 404, Kore.ai's "deleted successfully".
    let other: string;
    try {
      other = await submit({
        regulation: 'gdpr',
        targets: [
          { type: 'cartesia.calls', connection: 'cartesia', callIds: ['ac_forget_gone'] },
          { type: 'koreai.recordings', connection: 'kore', sessionIds: ['sess-forget-2'] },
        ],
      });
      await finalRequest(other);
    } finally {
      sims.kore.control.setFaults({});
    }
    const failed = await t.db.selectFrom('task').select(['state', 'last_error']).where('request_id', '=', id).where('type', '=', 'cartesia.call').executeTakeFirstOrThrow();
    expect(failed).toMatchObject({ state: 'failed', last_error: { status: 500, message: CARTESIA_500 } });

    const upstreamTexts = [CARTESIA_500, CARTESIA_404, KORE_DELETED, KOREAI_MESSAGES.serverError];
    const tasksDump = await pgDump('--table=task');
    const onTasks = upstreamTexts.filter((text) => tasksDump.includes(text));
    // The failure's own text is on its task row (last_error.message), where operators read it until the purge.
    expect(onTasks).toEqual(expect.arrayContaining([CARTESIA_500]));
    const events = await pgDump('--table=request_event');
    const found = upstreamTexts.filter((text) => events.includes(text));
    expect(found).toEqual([]);
    const rows = await t.db.selectFrom('request_event').select(['type', 'data']).where('request_id', '=', id).execute();
    // The failures are in the trail — as kind, status and code.
    expect(rows.filter((e) => e.type === 'upstream.call' && e.data.status === 500).length).toBeGreaterThanOrEqual(3);
    expect(rows.find((e) => e.type === 'task.state_changed' && e.data.to === 'failed')?.data.error).toEqual({ kind: 'http', status: 500, code: null });
    const eventRows = (events.match(/^[0-9a-f]{8}-[0-9a-f-]{27}\t/gm) ?? []).length;
    console.log(`[forgetting] pg_dump --table=request_event: ${eventRows} event rows, ${events.length} bytes; ${upstreamTexts.length} upstream texts searched, ${found.length} found there, ${onTasks.length} found in --table=task`);
  });
});
