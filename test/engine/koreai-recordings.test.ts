// Kore.ai recordings against the simulator's readings: a deletion that takes a while to show (confirmed
// after the delay, one DELETE, no storm), calls in progress (a bounded, counted wait → still_in_progress),
// a call that ends during the wait, and the legacy delete path (`recordingsApi: legacy`).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '../../src/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, insertRequest, startSimulators, startTestWorker, waitAllFinal, type Simulators } from './helpers.ts';
import { callCounts, callsSince, koreConnectionsConfig, logLength, onlyTask, report } from './koreai-helpers.ts';

let database: TestDatabase;
let sims: Simulators;
let worker: Worker;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators();
  const config = koreConnectionsConfig(
    {
      kore: { url: sims.koreUrl },
      'kore-confirm': { url: sims.koreUrl, over: { recordingConfirmDelaySeconds: 0.3 } },
      // Waits start at 0.2 s and end 2 s after they began.
      'kore-wait': { url: sims.koreUrl, over: { recordingRecheckSeconds: 0.2, recordingMaxWaitHours: 2 / 3600 } },
      'kore-legacy': { url: sims.koreUrl, over: { recordingsApi: 'legacy' } },
    },
    sims.cartesiaUrl,
  );
  worker = startTestWorker(database, config);
});

afterAll(async () => {
  await worker?.stop();
  await sims?.close();
  await database?.close();
});

async function run(scenario: string, sessionId: string, connection: string) {
  const from = logLength(sims.kore);
  const requestId = await insertRequest(database.db, [{ type: 'koreai.recording', connection, locator: { sessionId } }]);
  worker.wake();
  await waitAllFinal(database.db, requestId, 15_000);
  const task = await onlyTask(database.db, requestId);
  const calls = callsSince(sims.kore, from);
  report(scenario, task, calls);
  return { task, calls };
}

const deletedSessions = () => sims.kore.control.deleted().recordings.map((r) => r.sessionId);

describe('Kore.ai recordings', () => {
  it('a deletion that takes 1.5 s to show: confirmed after the delay and two more looks, with one DELETE', async () => {
    sims.kore.control.updateSettings({ recordingDeleteVisibleAfterMs: 1500 });
    sims.kore.control.seedSessions(BOT.botId, [{ sessionId: 'sess-slow-1', userId: 'u', recording: { status: 'success' } }]);
    const { task, calls } = await run('deletion slow to show', 'sess-slow-1', 'kore-confirm');
    sims.kore.control.updateSettings({ recordingDeleteVisibleAfterMs: 0 });
    expect(task.state).toBe('succeeded');
    expect(task.attempts).toBe(0);
    expect(task.upstream_ref).toMatchObject({ recordingStatus: 'media_unavailable', deleteStatus: 200 });
    // check, DELETE, then confirms at +0.3 s, +0.6 s and +1.2 s: the last one sees it gone.
    expect(callCounts(calls)).toEqual({ 'koreai.recordings.get': 4, 'koreai.recordings.delete': 1 });
    const del = calls.find((c) => c.method === 'DELETE')!;
    const firstConfirm = calls.find((c) => c.method === 'GET' && c.at > del.at)!;
    expect(firstConfirm.at - del.at).toBeGreaterThanOrEqual(300);
    expect(deletedSessions().filter((s) => s === 'sess-slow-1')).toHaveLength(1);
  });

  it('a call in progress that never ends: checks back off and stop at recordingMaxWaitHours → failed still_in_progress', async () => {
    sims.kore.control.seedSessions(BOT.botId, [{ sessionId: 'sess-live-1', userId: 'u', recording: { status: 'call_in_progress' } }]);
    const { task, calls } = await run('call in progress, never ends', 'sess-live-1', 'kore-wait');
    expect(task.state).toBe('failed');
    expect(task.last_error).toMatchObject({ kind: 'still_in_progress', code: 'call_in_progress', status: 200 });
    const wait = (task.upstream_ref as { wait: { since: string; checks: number } }).wait;
    // Checks at 0, 0.2, 0.6, 1.4 and 2.0 s (the last on the bound), each counted.
    expect(calls).toHaveLength(wait.checks);
    expect(wait.checks).toBeGreaterThanOrEqual(4);
    expect(wait.checks).toBeLessThanOrEqual(6);
    const gaps = calls.slice(1).map((c, i) => c.at - calls[i]!.at);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('a call that ends while the gateway waits: deleted once its recording exists, then confirmed', async () => {
    sims.kore.control.seedSessions(BOT.botId, [
      { sessionId: 'sess-ending-1', userId: 'u', recording: { status: 'call_in_progress', transitions: [{ afterMs: 500, status: 'media_in_progress' }, { afterMs: 1000, status: 'success' }] } },
    ]);
    const { task, calls } = await run('call in progress, then ends', 'sess-ending-1', 'kore');
    expect(task.state).toBe('succeeded');
    expect(task.upstream_ref).toMatchObject({ recordingStatus: 'media_unavailable', wait: { checks: expect.any(Number) } });
    expect(callCounts(calls)['koreai.recordings.delete']).toBe(1);
    expect(deletedSessions()).toContain('sess-ending-1');
  });

  it('recordingsApi legacy: the DELETE goes to /api/1.1/…/recordings; the checks stay on v2', async () => {
    sims.kore.control.seedSessions(BOT.botId, [{ sessionId: 'sess-legacy-1', userId: 'u', recording: { status: 'success' } }]);
    const { task, calls } = await run('legacy delete path', 'sess-legacy-1', 'kore-legacy');
    expect(task.state).toBe('succeeded');
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.url)).toEqual([`/api/1.1/public/bot/${BOT.botId}/recordings?sessionId=sess-legacy-1`]);
    expect(calls.filter((c) => c.method === 'GET').every((c) => c.url.startsWith(`/api/public/bot/${BOT.botId}/v2/recordings?`))).toBe(true);
    expect(deletedSessions()).toContain('sess-legacy-1');
  });

  it('no recording on the server at the first check → not_found, one call', async () => {
    const { task, calls } = await run('no recording', 'sess-never-recorded', 'kore');
    expect(task.state).toBe('not_found');
    expect(calls).toHaveLength(1);
  });
});
