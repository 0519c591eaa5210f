// A whole request through the gateway — intake, worker, the Kore.ai and Cartesia simulators, the callback,
// evidence, the purge — checking what the caller, the auditor and the data subject would care about:
// one signed callback per final request (retried after a 500), verifiable evidence, and no subject
// identity or configured secret in any log line, event, callback body or evidence.
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRequestChain } from '../../src/audit/verify-request-chain.ts';
import { ALL_TENANTS } from '../../src/domain/caller.ts';
import { createCallbackExecutor } from '../../src/callbacks/callback-executor.ts';
import { createCallbackTransport, type CallbackTransport } from '../../src/callbacks/deliver-callback.ts';
import { callbackSettlementEvents } from '../../src/callbacks/callback-events.ts';
import { callbackSettleHooks } from '../../src/callbacks/settle-hooks.ts';
import { verifyCallbackSignature } from '../../src/callbacks/signature.ts';
import { callbackSettingsFromConfig, type CallbackSettings } from '../../src/callbacks/url-policy.ts';
import { randomIds, systemClock } from '../../src/clock.ts';
import { parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import { createMetrics } from '../../src/metrics.ts';
import { purgeExpiredPersonalData } from '../../src/privacy/purge-expired-subjects.ts';
import { SANDBOX_CARTESIA_CONNECTION, SANDBOX_KOREAI_CONNECTION, sandboxConfig } from '../../src/sandbox.ts';
import { startSandboxSimulators, type SandboxSimulators } from '../../src/simulators/index.ts';
import { startWorker, type Worker } from '../../src/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../http/harness.ts';
import { startCallbackReceiver, type CallbackReceiver } from './callback-receiver.ts';

const API_KEY = 'egk_e2e_key_0123456789abcdefghij';
const SECRETS = { apiKey: API_KEY, subjectHashKey: 'e2e-subject-hash-key-0123456789', callbackSecret: 'e2e-callback-secret-0123456789' };
const SUBJECT = { email: 'Ada.Lovelace@Example.org', phone: '+44 20 7946 0958' };
// Every way the identities could leak: as given, normalised, and the phone's digits.
const IDENTITY_NEEDLES = ['ada.lovelace', 'Ada.Lovelace', '7946 0958', '+442079460958', '2079460958'];

let t: TestDatabase;
let sims: SandboxSimulators;
let config: GatewayConfig;
let api: TestApp;
let worker: Worker;
let receiver: CallbackReceiver;
let transport: CallbackTransport;
let settings: CallbackSettings;

beforeAll(async () => {
  t = await createTestDatabase();
  sims = await startSandboxSimulators({ jobDelayMs: 200 });
  receiver = await startCallbackReceiver();
  const sandbox = sandboxConfig({ env: parseEnvironment({ LOG_LEVEL: 'trace' }), sandbox: true, file: {} as never, secrets: new Map() }, sims, SECRETS);
  config = {
    ...sandbox,
    file: {
      ...sandbox.file,
      connections: sandbox.file.connections.map((c) => (c.type === 'koreai' ? { ...c, jobPollIntervalSeconds: 0.3 } : c)),
      worker: { ...sandbox.file.worker, pollIntervalMs: 100, backoffBaseMs: 100, backoffCapMs: 400 },
    },
  };
  api = await buildTestApp(t, { config, clock: systemClock, captureLogs: true });
  settings = callbackSettingsFromConfig(config)!;
  transport = createCallbackTransport(settings);
  worker = startWorker({
    config,
    database: t,
    clock: systemClock,
    ids: randomIds,
    logger: api.deps.logger,
    metrics: createMetrics({ defaultMetrics: false }),
    extraExecutors: { callback: createCallbackExecutor({ db: t.db, settings, transport }) },
    hooks: callbackSettleHooks(),
    workerId: 'e2e',
  });
});

afterAll(async () => {
  await worker?.stop();
  await transport?.close();
  await api?.close();
  await receiver?.close();
  await sims?.close();
  await t?.close();
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 25_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const auth = { authorization: `Bearer ${API_KEY}` };

describe('a request from intake to evidence', () => {
  it('calls back once (after retrying a 500), proves the erasure, and keeps no identity or secret', async () => {
    receiver.answers.push({ status: 500 });
    const demo = sims.demo;
    const submit = await api.app.inject({
      method: 'POST',
      url: '/v1/erasure-requests',
      headers: auth,
      payload: {
        externalRef: 'E2E-1',
        regulation: 'gdpr',
        subject: SUBJECT,
        callbackUrl: receiver.url,
        targets: [
          { type: 'koreai.conversations', connection: SANDBOX_KOREAI_CONNECTION, conversationIds: [...demo.koreai.conversationIds] },
          { type: 'koreai.recordings', connection: SANDBOX_KOREAI_CONNECTION, sessionIds: [demo.koreai.sessionIds.withRecording] },
          { type: 'cartesia.calls', connection: SANDBOX_CARTESIA_CONNECTION, callIds: [demo.cartesia.callIds.completed, demo.cartesia.callIds.unknown] },
        ],
      },
    });
    expect(submit.statusCode).toBe(202);
    const id = submit.json().id as string;
    worker.wake();

    const callbackTask = await until('the callback to be delivered', async () =>
      t.db.selectFrom('task').selectAll().where('request_id', '=', id).where('type', '=', 'callback').where('state', '=', 'succeeded').executeTakeFirst(),
    );
    // Nothing else arrives afterwards.
    await new Promise((r) => setTimeout(r, 500));

    // The caller: two attempts of one delivery (500, then 204), signed, carrying the final resource.
    expect(receiver.received).toHaveLength(2);
    const [failedAttempt, delivered] = receiver.received as [(typeof receiver.received)[0], (typeof receiver.received)[0]];
    expect(failedAttempt.headers['x-erasure-gateway-delivery']).toBe(callbackTask.id);
    expect(delivered.headers['x-erasure-gateway-delivery']).toBe(callbackTask.id);
    expect(delivered.headers['x-erasure-gateway-event']).toBe('request.completed');
    const signed = { timestamp: delivered.headers['x-erasure-gateway-timestamp'] as string, signature: delivered.headers['x-erasure-gateway-signature'] as string };
    expect(verifyCallbackSignature(SECRETS.callbackSecret, signed, delivered.body, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyCallbackSignature('another-secret', signed, delivered.body, Math.floor(Date.now() / 1000))).toBe(false);
    const resource = (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: auth })).json();
    expect(JSON.parse(delivered.body)).toEqual(resource);
    expect(resource).toMatchObject({ status: 'completed', progress: { succeeded: 3, not_found: 1 } });

    // The auditor: the deliveries are in the trail; the chain verifies; the evidence verifies offline.
    const events = await t.db.selectFrom('request_event').selectAll().where('request_id', '=', id).orderBy('seq').execute();
    const deliveries = events.filter((e) => e.type === 'upstream.call' && e.data.operation === 'callback.deliver');
    expect(deliveries.map((e) => e.data.status)).toEqual([500, 204]);
    expect(deliveries.every((e) => typeof e.data.latencyMs === 'number')).toBe(true);
    expect(await verifyRequestChain(t.db, id, ALL_TENANTS)).toMatchObject({ valid: true, events: events.length });
    const jwks = (await api.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json() as JSONWebKeySet;
    const evidence = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: { ...auth, accept: 'application/jose' } });
    const { payload } = await jwtVerify(evidence.body, createLocalJWKSet(jwks), { typ: 'erasure-evidence+jwt', subject: id });
    expect(payload).toMatchObject({ final: true, request: { status: 'completed', subjectHashes: { email: expect.any(String), phone: expect.any(String) } } });
    expect((payload as { tasks: { state: string }[] }).tasks.map((x) => x.state).sort()).toEqual(['not_found', 'succeeded', 'succeeded', 'succeeded']);

    // The data subject: identities purged after the configured time; the hashes and the evidence stay.
    const purgeAt = new Date(Date.now() + (config.file.privacy.purgeSubjectAfterDays + 1) * 86_400_000);
    expect(await purgeExpiredPersonalData(t.db, purgeAt, config.file.privacy.purgeSubjectAfterDays, { hashKey: SECRETS.subjectHashKey })).toBe(1);
    const row = await t.db.selectFrom('erasure_request').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.subject).toBeNull();
    expect(row.callback_url).toBeNull();
    expect(row.subject_hashes).toMatchObject({ email: expect.any(String), phone: expect.any(String) });
    const after = await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/evidence`, headers: { ...auth, accept: 'application/jose' } });
    expect(after.body).toBe(evidence.body);

    const allEvents = JSON.stringify(await t.db.selectFrom('request_event').selectAll().where('request_id', '=', id).execute());
    const logs = api.logs();
    // Both the API and the worker wrote here (trace level), so the search below means something.
    expect(logs).toContain('"worker":"e2e"');
    expect(logs).toContain('request completed');
    const secrets = [SECRETS.apiKey, SECRETS.subjectHashKey, SECRETS.callbackSecret, sims.koreai.clientSecret, sims.cartesia.apiKey];
    const haystacks = { logs, events: allEvents, callbacks: receiver.received.map((r) => r.body).join('\n'), evidence: Buffer.from(evidence.body.split('.')[1]!, 'base64url').toString() };
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of [...IDENTITY_NEEDLES, ...secrets]) {
        expect(text.includes(needle), `${where} contains ${needle.slice(0, 6)}…`).toBe(false);
      }
    }
  });

  it('callbackSettlementEvents names deliveries for auditors (callback.delivered / attempt_failed)', async () => {
    // What the worker records once it uses callbackSettlementEvents for callback tasks (see the report).
    const task = {
      id: '2d0a3b1e-1c9f-4f0e-8a57-3e2f7f1c9d10', requestId: 'r', type: 'callback' as const, connection: null, locator: {}, phase: 'start',
      claimedFrom: 'pending' as const, attempts: 0, upstreamRef: null, createdAt: new Date(), firstSentAt: null, leaseExpiresAt: new Date(),
    };
    const now = new Date('2026-03-01T00:00:00Z');
    const call = { operation: 'callback.deliver', method: 'POST', pathTemplate: '{callbackUrl}', latencyMs: 12, ref: { event: 'request.completed', host: 'portal.internal' } };
    const ok = callbackSettlementEvents({
      task, actor: 'worker:w', now,
      result: { outcome: { kind: 'succeeded', upstreamRef: {} }, call: { ...call, status: 204 } },
      plan: { state: 'succeeded', phase: 'start', attempts: 0, nextAttemptAt: now, upstreamRef: {}, lastError: null, finishedAt: now, sentAt: now, failedAttempt: false },
    });
    expect(ok.at(-1)).toMatchObject({ type: 'callback.delivered', taskId: task.id, data: { status: 204, latencyMs: 12, event: 'request.completed', host: 'portal.internal' } });
    const retry = callbackSettlementEvents({
      task, actor: 'worker:w', now,
      result: { outcome: { kind: 'retry', error: { kind: 'http', status: 500, code: 'http_500', message: 'receiver answered 500' } }, call: { ...call, status: 500 } },
      plan: { state: 'pending', phase: 'start', attempts: 1, nextAttemptAt: new Date(now.getTime() + 1000), upstreamRef: null, lastError: { kind: 'http', status: 500, code: 'http_500', message: 'receiver answered 500' }, finishedAt: null, sentAt: now, failedAttempt: true },
    });
    expect(retry.at(-1)).toMatchObject({ type: 'callback.attempt_failed', data: { status: 500, error: { kind: 'http', status: 500, code: 'http_500' } } });
    expect(JSON.stringify(retry)).not.toContain('receiver answered');
  });
});
