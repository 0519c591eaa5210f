// Must show: a worker killed with SIGKILL in the middle of a discovery — a getSessions page on the wire,
// its lease held — is replaced; the discovery resumes from its durable cursor (the page in flight is
// read again), every task it finds exists exactly once, and the request completes with exactly the
// person's data erased.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import type { JsonObject } from '../../src/domain/json.ts';
import { spawnWorker, stopWorkerProcess, tasksOf, waitAllFinal, waitFor, type WorkerProcess } from '../engine/helpers.ts';
import { FAULT_SECRETS_ENV } from '../faults/helpers/fault-config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { bearer, buildTestApp, KEYS, type TestApp } from '../http/harness.ts';
import { daysAgoDate, identityBody, koreHoldings, startWorld, submit, worldConfig, worldConfigFile, type World } from './helpers.ts';

let database: TestDatabase;
let world: World;
let t: TestApp;
let raw: Record<string, unknown>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ max: 6 });
  world = await startWorld();
  // Every getSessions answer takes a while, so the worker certainly dies with a page on the wire.
  world.kore.control.setFaults({ routes: { 'koreai.sessions.get': { latencyMs: { min: 250, max: 400 } } } });
  raw = worldConfigFile(world, { leaseSeconds: 2, sweepIntervalMs: 200 });
  t = await buildTestApp(database, { config: worldConfig(raw), clock: systemClock });
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => stopWorkerProcess(w, 'SIGKILL')));
  await t?.close();
  await world?.close();
  await database?.close();
});

const spawn = (id: string) => {
  const w = spawnWorker({ databaseUrl: database.url, raw: raw as JsonObject, id, env: FAULT_SECRETS_ENV });
  workers.push(w);
  return w;
};

describe('SIGKILL in the middle of a discovery', () => {
  it('resumes page by page: the same tasks exist exactly once and the request completes', { timeout: 120_000 }, async () => {
    const subject = world.sessions.users[0]!;
    const before = koreHoldings(world);
    const id = await submit(t, identityBody(subject.userId, { from: daysAgoDate(100) }));
    const first = spawn('discovery-1');

    // Wait until the discovery is a few windows in and holds its lease on a page being read.
    const atKill = await waitFor(
      async () => {
        const { rows } = await sql<{ state: string; lease_owner: string | null; pages: number | null }>`
          select state, lease_owner, (upstream_ref->'discovery'->>'pages')::int as pages
          from task where request_id = ${id}::uuid and type = 'koreai.discovery'`.execute(database.db);
        const d = rows[0];
        return d !== undefined && d.state === 'running' && d.lease_owner === 'discovery-1' && (d.pages ?? 0) >= 4 ? d : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 20, what: 'the discovery to be a few windows in, a page on the wire' },
    );
    const tasksAtKill = await tasksOf(database.db, id);
    first.child.kill('SIGKILL');
    await first.exited;
    const queriesAtKill = world.kore.control.sessionQueries().length;

    const second = spawn('discovery-2');
    await waitAllFinal(database.db, id, 90_000);
    const res = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: bearer(KEYS.reader) });
    expect((res.json() as { status: string }).status).toBe('completed');

    const tasks = await tasksOf(database.db, id);
    const discovery = tasks.find((x) => x.type === 'koreai.discovery')!;
    const leaseExpired = await sql<{ n: number }>`select count(*)::int as n from request_event where request_id = ${id}::uuid and type = 'task.lease_expired' and task_id = ${discovery.id}::uuid`.execute(database.db);
    console.log(
      `[discovery-sigkill] killed at page ${atKill.pages} (${tasksAtKill.length} tasks then, ${queriesAtKill} getSessions asked); ` +
        `after restart ${tasks.length} tasks, ${world.kore.control.sessionQueries().length} getSessions in all, discovery lease expired ${leaseExpired.rows[0]!.n}×`,
    );
    // The kill interrupted the discovery itself, and the new worker took it over from its cursor.
    expect(leaseExpired.rows[0]!.n).toBeGreaterThanOrEqual(1);
    expect(discovery.state).toBe('succeeded');
    expect(discovery.upstream_ref).toMatchObject({ discovery: { windows: 15, windowsSearched: 15, sessionsMatched: subject.sessionIds.length } });
    // Resumed, not restarted: the windows before the kill were not asked for again.
    const windowsAsked = world.kore.control.sessionQueries().map((q) => `${q.dateFrom}/${q.skip}`);
    const repeats = windowsAsked.length - new Set(windowsAsked).size;
    expect(repeats).toBeLessThanOrEqual(1);

    // The same tasks, exactly once each: a recording per session, one conversation job over them.
    const recordings = tasks.filter((x) => x.type === 'koreai.recording').map((x) => x.locator.sessionId as string);
    expect(recordings.sort()).toEqual([...subject.sessionIds].sort());
    const conversationIds = tasks.filter((x) => x.type === 'koreai.conversations').flatMap((x) => x.locator.conversationIds as string[]);
    expect(conversationIds.sort()).toEqual([...subject.sessionIds].sort());
    const seqs = tasks.map((x) => x.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    for (const before of tasksAtKill) expect(tasks.find((x) => x.id === before.id)?.locator).toEqual(before.locator);

    // Exactly the person's data is gone; the others' is all there.
    const after = koreHoldings(world);
    expect(after[subject.userId]).toEqual({ recordings: 0, conversations: 0 });
    for (const user of world.sessions.users.slice(1)) expect(after[user.userId]).toEqual(before[user.userId]);
    const verify = await t.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}/events/verify`, headers: bearer(KEYS.auditor) });
    expect(verify.json()).toMatchObject({ valid: true });

    await stopWorkerProcess(second, 'SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
