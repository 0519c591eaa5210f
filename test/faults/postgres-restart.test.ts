// Postgres restarted in the middle of a run. The gateway runs as an operator runs it — one ROLE=api and
// one ROLE=worker process (`node src/main.ts`) — on a private Postgres server (never the shared test
// server), while callers keep submitting and reading. While the database is down every answer is a quick
// 503 problem (`service-unavailable`, with Retry-After) — not a 500, not a hang; once it is back,
// submits are accepted again, a caller retrying its refused submits with the same Idempotency-Key gets
// exactly one request each, and every accepted request is completed: nothing accepted is lost.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { startSimulators, type Simulators } from '../engine/helpers.ts';
import { KEYS } from '../http/harness.ts';
import { CARTESIA, faultConfigFile, KORE, writeConfigFile } from './helpers/fault-config.ts';
import { startGatewayProcess, type GatewayProcess } from './helpers/gateway-process.ts';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.ts';

/** How long the database stays down. */
const OUTAGE_MS = 4000;
/** No answer may take longer than this, database up or down (the pool gives up connecting after 5 s). */
const MAX_LATENCY_MS = 8000;
const SUBMITTERS = 3;

let pg: PrivatePostgres;
let sims: Simulators;
let observer: Database;
let config: { file: string; remove(): void } | undefined;
const processes: GatewayProcess[] = [];

beforeAll(async () => {
  pg = await startPrivatePostgres();
  console.log(`[faults] private Postgres: ${pg.kind}, ${pg.description}`);
  observer = createDatabase(pg.url, { max: 2 });
  await migrateToLatest(observer.db);
  sims = await startSimulators({ jobDelayMs: 100, cartesiaConcurrency: null });
  config = writeConfigFile(
    faultConfigFile(sims, { pollIntervalMs: 200, sweepIntervalMs: 500, leaseSeconds: 5, backoffBaseMs: 100, backoffCapMs: 1000, shutdownGraceMs: 2000 }),
  );
  const [api, worker] = await Promise.all([
    startGatewayProcess({ role: 'api', databaseUrl: pg.url, configFile: config.file }),
    startGatewayProcess({ role: 'worker', databaseUrl: pg.url, configFile: config.file }),
  ]);
  processes.push(api, worker);
}, 90_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await observer?.close().catch(() => {});
  await sims?.close();
  await pg?.close();
  config?.remove();
});

type Phase = 'up' | 'stopping' | 'down' | 'starting' | 'back' | 'retry';
type Answer = { phase: Phase; what: 'submit' | 'read' | 'readyz'; status: number; contentType: string; body: string; ms: number; retryAfter: string | null };

describe('Postgres restarted during a run', () => {
  it('answers 503 problems quickly while it is down, and loses nothing it accepted', { timeout: 120_000 }, async () => {
    const api = processes[0]!;
    const worker = processes[1]!;
    const base = api.baseUrl!;
    let phase: Phase = 'up';
    let running = true;
    const answers: Answer[] = [];
    const accepted = new Map<string, { id: string; callIds: string[]; sessionId: string }>(); // by Idempotency-Key
    const refused = new Map<string, string>(); // Idempotency-Key → body, refused with 503
    let n = 0;

    const call = async (what: Answer['what'], url: string, init: RequestInit = {}): Promise<Answer & { json?: unknown }> => {
      const at = phase;
      const started = performance.now();
      try {
        const res = await fetch(url, { ...init, signal: AbortSignal.timeout(MAX_LATENCY_MS + 7000) });
        const body = await res.text();
        const answer: Answer = {
          phase: at,
          what,
          status: res.status,
          contentType: res.headers.get('content-type') ?? '',
          body,
          ms: performance.now() - started,
          retryAfter: res.headers.get('retry-after'),
        };
        answers.push(answer);
        return answer;
      } catch (error) {
        // No answer at all (a hang or a dropped connection) is recorded as status 0: it fails the test below.
        const answer: Answer = { phase: at, what, status: 0, contentType: '', body: String(error), ms: performance.now() - started, retryAfter: null };
        answers.push(answer);
        return answer;
      }
    };

    const submitBody = (key: string) => {
      const i = n++;
      // Each request: two Cartesia calls that exist (→ succeeded), one Kore.ai session that does not (→ not_found).
      const callIds = [`ac_restart_${i}_a`, `ac_restart_${i}_b`];
      sims.cartesia.control.seedCalls(callIds.map((id) => ({ id, status: 'completed' as const })));
      const sessionId = `sess-restart-${i}`;
      return {
        callIds,
        sessionId,
        body: JSON.stringify({
          externalRef: key,
          regulation: 'gdpr',
          targets: [
            { type: 'cartesia.calls', connection: CARTESIA, callIds },
            { type: 'koreai.recordings', connection: KORE, sessionIds: [sessionId] },
          ],
        }),
      };
    };
    const submit = async (key: string, prepared = submitBody(key)) => {
      const answer = await call('submit', `${base}/v1/erasure-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEYS.writer}`, 'content-type': 'application/json', 'idempotency-key': key },
        body: prepared.body,
      });
      if (answer.status === 202) {
        accepted.set(key, { id: (JSON.parse(answer.body) as { id: string }).id, callIds: prepared.callIds, sessionId: prepared.sessionId });
        refused.delete(key);
      } else refused.set(key, JSON.stringify(prepared));
      return answer;
    };

    const submitters = Array.from({ length: SUBMITTERS }, async () => {
      while (running) {
        await submit(`restart-${randomUUID()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    const reader = (async () => {
      while (running) {
        const some = [...accepted.values()].at(-1);
        if (some !== undefined) await call('read', `${base}/v1/erasure-requests/${some.id}`, { headers: { authorization: `Bearer ${KEYS.reader}` } });
        await call('readyz', `${base}/readyz`);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    const acceptedIn = (p: Phase) => answers.filter((a) => a.phase === p && a.what === 'submit' && a.status === 202).length;
    const until = async (done: () => boolean, ms: number) => {
      const deadline = Date.now() + ms;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    };

    await until(() => acceptedIn('up') >= 20, 10_000);
    phase = 'stopping';
    await pg.stop();
    phase = 'down';
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    phase = 'starting';
    await pg.start();
    phase = 'back';
    await until(() => acceptedIn('back') >= 20, 20_000);
    running = false;
    await Promise.all([...submitters, reader]);

    // A caller retries what was refused, with the same Idempotency-Key and body.
    phase = 'retry';
    const retried = refused.size;
    for (const [key, prepared] of [...refused]) {
      const p = JSON.parse(prepared) as { callIds: string[]; sessionId: string; body: string };
      const answer = await submit(key, p);
      expect(answer.status, `retry of ${key}: ${answer.body}; API alive: ${api.alive()}\n${api.output().slice(-4000)}`).toBe(202);
    }

    const count = (p: Phase, what: Answer['what'], status?: number) =>
      answers.filter((a) => a.phase === p && a.what === what && (status === undefined || a.status === status)).length;
    const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
    console.log(
      `[faults] ${answers.length} answers; accepted ${accepted.size} requests; submits up ${count('up', 'submit')} (202: ${count('up', 'submit', 202)}), ` +
        `down ${count('down', 'submit')} (503: ${count('down', 'submit', 503)}), back ${count('back', 'submit')} (202: ${count('back', 'submit', 202)}); ` +
        `refused, then retried with the same key ${retried} (202: ${count('retry', 'submit', 202)}); ` +
        `latency p50 ${Math.round(latencies[Math.floor(latencies.length / 2)] ?? 0)} ms, max ${Math.round(latencies.at(-1) ?? 0)} ms`,
    );

    // What a caller sees: 2xx, or a 503 problem with Retry-After — never a 500, never no answer.
    for (const a of answers) {
      const context = `${a.what} during "${a.phase}": ${a.status} ${a.contentType} ${a.body.slice(0, 300)} (${Math.round(a.ms)} ms)`;
      expect([200, 202, 503], context).toContain(a.status);
      expect(a.ms, `bounded latency — ${context}`).toBeLessThan(MAX_LATENCY_MS);
      if (a.status === 503) {
        expect(a.contentType, context).toMatch(/^application\/problem\+json/);
        const problem = JSON.parse(a.body) as { type: string; status: number; title: string };
        expect(problem.type, context).toBe('https://erasure-gateway.dev/problems/service-unavailable');
        expect(problem.status, context).toBe(503);
        expect(a.retryAfter, context).toMatch(/^\d+$/);
      }
    }
    // While it was down, callers were told so.
    expect(count('down', 'submit', 503)).toBeGreaterThan(0);
    expect(count('down', 'submit', 202)).toBe(0);
    expect(count('down', 'readyz', 503)).toBeGreaterThan(0);
    expect(count('down', 'read', 503)).toBeGreaterThan(0);
    // And then it took work again, with the same processes.
    expect(acceptedIn('back')).toBeGreaterThanOrEqual(20);
    expect(api.alive(), `the API process survived:\n${api.output().slice(-2000)}`).toBe(true);
    expect(worker.alive(), `the worker process survived:\n${worker.output().slice(-2000)}`).toBe(true);

    // Nothing accepted is lost: every 202's request is stored, once per Idempotency-Key, and completes.
    const ids = [...accepted.values()].map((a) => a.id);
    const perKey = await sql<{ external_ref: string; n: number }>`
      select external_ref, count(*)::int as n from erasure_request group by external_ref having count(*) > 1`.execute(observer.db);
    expect(perKey.rows, 'one request per Idempotency-Key').toEqual([]);
    const statuses = async () => {
      const rows = await observer.db.selectFrom('erasure_request').select(['id', 'status']).where('id', 'in', ids).execute();
      return new Map(rows.map((r) => [r.id, r.status]));
    };
    const deadline = Date.now() + 45_000;
    let last = await statuses();
    while ([...last.values()].some((s) => s !== 'completed') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      last = await statuses();
    }
    expect(last.size, 'every accepted request is stored').toBe(ids.length);
    const notCompleted = [...last].filter(([, s]) => s !== 'completed');
    expect(notCompleted, `every accepted request completes\n${worker.output().slice(-3000)}`).toEqual([]);
    // Through the API too, as a caller checks.
    for (const id of ids.slice(0, 10)) {
      const res = await fetch(`${base}/v1/erasure-requests/${id}`, { headers: { authorization: `Bearer ${KEYS.reader}` } });
      expect(((await res.json()) as { status: string }).status).toBe('completed');
    }
    // The upstream really deleted every call of every accepted request.
    const deleted = new Set(sims.cartesia.control.deleted().calls.map((c) => c.callId));
    for (const a of accepted.values()) for (const callId of a.callIds) expect(deleted.has(callId), `call ${callId} deleted`).toBe(true);
    const tasks = await sql<{ state: string; n: number }>`
      select state, count(*)::int as n from task where request_id = any(${ids}::uuid[]) group by state order by state`.execute(observer.db);
    expect(Object.fromEntries(tasks.rows.map((r) => [r.state, r.n]))).toEqual({ not_found: ids.length, succeeded: ids.length * 2 });
  });
});
