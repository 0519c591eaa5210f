// The watchdog: a task past its expected wait is `stalled` in the tasks view, listed by ?stalled=true,
// counted by the gauges, and logged exactly once (without identifiers) however many passes and replicas
// see it; a Kore.ai job within jobMaxAgeHours is not. Tasks are put where the engine would leave them
// (SQL on their rows) and the clock is the app's manual clock, so hours pass in a test.
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { registerWatchdogGauges } from '../../src/reports/watchdog-gauges.ts';
import { watchTasks } from '../../src/worker/watchdog.ts';
import { workerQueries } from '../../src/worker/queries.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, testConfig, testConfigFile, type TestApp } from '../http/harness.ts';

const H = 3_600_000;
const MIN = 60_000;
let database: TestDatabase;
let t: TestApp;

// kore-support's jobs may take 24 h (the engine fails them then); the watchdog adds its 15-minute grace.
const connections = (testConfigFile().connections as Array<Record<string, unknown>>).map((c) => (c.name === 'kore-support' ? { ...c, jobMaxAgeHours: 24 } : c));
const config = testConfig({ connections });

function captureLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', {}, sink), stalledLines: () => lines.filter((l) => l.includes('task stalled')).map((l) => JSON.parse(l) as Record<string, unknown>), text: () => lines.join('') };
}

const pass = (logger = captureLogger().logger) => watchTasks({ file: config.file, queries: workerQueries(database.db), clock: t.clock, logger, metrics: t.deps.metrics });

async function submit(targets: unknown[], extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/erasure-requests',
    headers: bearer(KEYS.writer),
    payload: { regulation: 'gdpr', subject: { email: 'watched.person@example.com' }, targets, ...extra },
  });
  expect(res.statusCode).toBe(202);
  return res.json().id as string;
}

async function taskOf(requestId: string, type: string) {
  return database.db.selectFrom('task').selectAll().where('request_id', '=', requestId).where('type', '=', type as never).executeTakeFirstOrThrow();
}

/** Puts a Kore.ai conversations task where the engine leaves a job: created a minute before it submitted its job `ageMs` ago, next poll in `nextPollMs`. */
async function jobSubmitted(taskId: string, state: 'waiting' | 'pending', ageMs: number, nextPollMs: number): Promise<void> {
  const now = t.clock.now().getTime();
  await database.db
    .updateTable('task')
    .set({
      state,
      phase: 'poll',
      next_attempt_at: new Date(now + nextPollMs),
      created_at: new Date(now - ageMs - MIN),
      first_sent_at: new Date(now - ageMs),
      upstream_ref: { jobId: `job-${taskId.slice(0, 8)}`, jobStatus: 'queued', submittedAt: new Date(now - ageMs).toISOString() },
      updated_at: new Date(now - MIN),
    })
    .where('id', '=', taskId)
    .execute();
}

const tasksView = async (id: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/tasks`, headers: bearer(KEYS.reader) });
  expect(res.statusCode).toBe(200);
  return res.json().data as Array<{ id: string; type: string; stalled: boolean; stalledSince: string | null; blocked: unknown }>;
};
const listIds = async (query: string) => {
  const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests?${query}`, headers: bearer(KEYS.reader) });
  expect(res.statusCode).toBe(200);
  return (res.json().data as Array<{ id: string }>).map((r) => r.id);
};
const metricsText = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;

let stuck: string; // a Kore.ai job past 24 h + grace whose polls keep failing, and a call nobody claimed
let young: string; // a Kore.ai job 20 h into its 24 h
let stuckJob: string;
let stuckCall: string;

beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { config, now: '2026-03-10T12:00:00.000Z' });
  registerWatchdogGauges(t.deps.metrics.registry, database.db, t.clock, { minIntervalMs: 0 });
  stuck = await submit([
    { type: 'koreai.conversations', connection: 'kore-support', conversationIds: ['conv-secret-1'] },
    { type: 'cartesia.calls', connection: 'cartesia-prod', callIds: ['call-secret-1'] },
  ]);
  young = await submit([{ type: 'koreai.conversations', connection: 'kore-support', conversationIds: ['conv-secret-2'] }]);
  t.clock.advance(H); // 13:00: the tasks created at 12:00 were due an hour ago
  stuckJob = (await taskOf(stuck, 'koreai.conversations')).id;
  stuckCall = (await taskOf(stuck, 'cartesia.call')).id;
  await jobSubmitted(stuckJob, 'pending', 25 * H, 5 * MIN); // its last poll failed: retried in 5 min, but the job is 25 h old
  await jobSubmitted((await taskOf(young, 'koreai.conversations')).id, 'waiting', 20 * H, 10 * MIN);
});

afterAll(async () => {
  await t?.close();
  await database?.close();
});

describe('the watchdog', () => {
  it('flags the tasks past their expected wait, not a Kore.ai job 20 h into its 24 h, and logs each once across passes and replicas', async () => {
    const a = captureLogger();
    const b = captureLogger();
    // Two replicas at once, then a second pass a minute later.
    const [ra, rb] = await Promise.all([pass(a.logger), pass(b.logger)]);
    expect(ra.stalled + rb.stalled).toBe(2);
    t.clock.advance(MIN);
    expect(await pass(a.logger)).toEqual({ stalled: 0, cleared: 0 });
    const lines = [...a.stalledLines(), ...b.stalledLines()];
    expect(lines.map((l) => [l.taskId, l.waitingFor, l.state]).sort()).toEqual(
      [
        [stuckJob, 'koreai_job', 'pending'],
        [stuckCall, 'claim', 'pending'],
      ].sort(),
    );
    const job = lines.find((l) => l.taskId === stuckJob)!;
    expect(job).toMatchObject({ type: 'koreai.conversations', connection: 'kore-support', waitingSeconds: 25 * 3600, stalledSince: '2026-03-10T12:15:00.000Z' });
    // No locator, no subject, no upstream reference in the log.
    for (const text of [a.text(), b.text()]) {
      expect(text).not.toMatch(/conv-secret|call-secret|watched\.person|job-/);
    }
  });

  it('shows stalled and stalledSince in the tasks view, stalledTasks on the request, and lists it with ?stalled=true', async () => {
    const view = await tasksView(stuck);
    expect(view.map((v) => [v.type, v.stalled, v.stalledSince])).toEqual([
      ['koreai.conversations', true, '2026-03-10T12:15:00.000Z'], // submitted 12:00 the day before + 24 h + 15 min
      ['cartesia.call', true, '2026-03-10T12:15:00.000Z'], // due 12:00 + 15 min
    ]);
    expect((await tasksView(young)).map((v) => [v.stalled, v.stalledSince])).toEqual([[false, null]]);
    const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${stuck}`, headers: bearer(KEYS.reader) });
    expect(res.json().stalledTasks).toBe(2);
    expect(await listIds('stalled=true')).toEqual([stuck]);
    expect(await listIds('stalled=false')).toEqual([young]);
  });

  it('counts them in erasure_gateway_stalled_tasks and erasure_gateway_tasks_stalled_total, and the oldest open task of each connection and state', async () => {
    const text = await metricsText();
    expect(text).toContain('erasure_gateway_stalled_tasks{connection="kore-support",type="koreai.conversations"} 1');
    expect(text).toContain('erasure_gateway_stalled_tasks{connection="cartesia-prod",type="cartesia.call"} 1');
    expect(text).toContain('erasure_gateway_tasks_stalled_total{connection="kore-support",type="koreai.conversations"} 1');
    expect(text).toContain('erasure_gateway_tasks_stalled_total{connection="cartesia-prod",type="cartesia.call"} 1');
    expect(text).toMatch(/erasure_gateway_oldest_open_task_age_seconds\{connection="cartesia-prod",state="pending"\} 3660\b/);
    // Created 25 h 1 min (the stuck job) and 20 h 1 min (the young one) before 13:00; it is 13:01.
    expect(text).toMatch(/erasure_gateway_oldest_open_task_age_seconds\{connection="kore-support",state="pending"\} 90120\b/);
    expect(text).toMatch(/erasure_gateway_oldest_open_task_age_seconds\{connection="kore-support",state="waiting"\} 72120\b/);
    expect(text).toContain('erasure_gateway_requests_due_within{window="7d"} 0');
  });

  it('keeps the mark while the job stays past its bound, and clears it when the task finishes or is re-driven', async () => {
    // The call is claimed and deleted: finishing clears the mark (the trigger on finished_at).
    const now = t.clock.now();
    await database.db.updateTable('task').set({ state: 'succeeded', finished_at: now, updated_at: now }).where('id', '=', stuckCall).execute();
    // The job's next poll answered "queued" again: still past 24 h + grace, still stalled, not logged again.
    await jobSubmitted(stuckJob, 'waiting', 25 * H + MIN, 15 * MIN);
    const log = captureLogger();
    expect(await pass(log.logger)).toEqual({ stalled: 0, cleared: 0 });
    expect(log.stalledLines()).toEqual([]);
    expect((await tasksView(stuck)).map((v) => v.stalled)).toEqual([true, false]);
    expect(await metricsText()).toContain('erasure_gateway_stalled_tasks{connection="cartesia-prod",type="cartesia.call"} 0');
    // The job fails (job_timeout), then an operator re-drives it: no mark, no stalled request.
    await database.db.updateTable('task').set({ state: 'failed', finished_at: now, updated_at: now }).where('id', '=', stuckJob).execute();
    await database.db.updateTable('task').set({ state: 'pending', phase: 'start', finished_at: null, redriven_at: now, next_attempt_at: now, updated_at: now }).where('id', '=', stuckJob).execute();
    expect((await tasksView(stuck)).map((v) => v.stalled)).toEqual([false, false]);
    expect(await listIds('stalled=true')).toEqual([]);
  });

  it('clears a mark when the task is back within a wait (claimed and settled into a new backoff)', async () => {
    const id = await submit([{ type: 'cartesia.calls', connection: 'cartesia-prod', callIds: ['call-secret-2'] }]);
    t.clock.advance(20 * MIN);
    await pass();
    const [task] = await tasksView(id);
    expect(task).toMatchObject({ stalled: true });
    const now = t.clock.now();
    await database.db.updateTable('task').set({ attempts: 1, next_attempt_at: new Date(now.getTime() + 5 * MIN), updated_at: now }).where('id', '=', task!.id).execute();
    expect(await pass()).toMatchObject({ cleared: 1 });
    expect((await tasksView(id))[0]).toMatchObject({ stalled: false, stalledSince: null });
  });

  it('flags a task its held connection keeps from being sent, and says why in blocked', async () => {
    const id = await submit([{ type: 'koreai.conversations', connection: 'kore-sales', conversationIds: ['conv-secret-3'] }]);
    await sql`insert into connection_check (connection, type, result, http_status, code, latency_ms, checked_at, checked_by)
      values ('kore-sales', 'koreai', 'auth_failed', 401, 'invalid_credentials', 5, ${t.clock.now()}, 'worker:test')`.execute(database.db);
    t.clock.advance(16 * MIN);
    await pass();
    const [task] = await tasksView(id);
    expect(task).toMatchObject({ stalled: true, blocked: { reason: 'blocked_by_connection' } });
  });

  it('refuses a stalled filter that is not a boolean with a 400 problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/erasure-requests?stalled=maybe', headers: bearer(KEYS.reader) });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });
});
