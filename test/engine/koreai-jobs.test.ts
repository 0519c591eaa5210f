// Kore.ai conversation-deletion jobs against every reading of the simulator (docs/verdicts.md, "Kore.ai"):
// a job is `succeeded` only when its counts account for every id sent as deleted, `not_found` only when
// Kore.ai found nothing; otherwise the task waits (retries left) or fails `incomplete_job` with the counts.
// Each scenario asserts the final state and kind, what the simulator really deleted, and the calls made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { retryRequest } from '../../src/services/retry-request.ts';
import type { Worker } from '../../src/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, insertRequest, startSimulators, startTestWorker, waitAllFinal, waitFor, type Simulators } from './helpers.ts';
import { callCounts, callsSince, koreConnectionsConfig, logLength, onlyTask, report } from './koreai-helpers.ts';

let database: TestDatabase;
let sims: Simulators;
let worker: Worker;
const DEFAULTS = { jobDelayMs: 200, jobPartialFailureRate: 0, jobRecoversOnRetry: 1, jobRetries: 3, jobRetryDelayMs: 300, jobProcessLimit: null, jobFailureRate: 0 } as const;

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators({ jobDelayMs: 200 });
  const config = koreConnectionsConfig(
    {
      kore: { url: sims.koreUrl },
      // A job not final 2 s after its submittedAt times out.
      'kore-short': { url: sims.koreUrl, over: { jobMaxAgeHours: 2 / 3600 } },
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

const held = (ids: readonly string[]) => {
  const live = new Set(sims.kore.control.botState(BOT.botId).conversations.map((c) => c.id));
  return ids.filter((id) => live.has(id));
};

async function run(scenario: string, locator: Record<string, unknown>, options: { type?: 'koreai.conversations' | 'koreai.channel_user'; connection?: string; timeoutMs?: number } = {}) {
  const from = logLength(sims.kore);
  const requestId = await insertRequest(database.db, [{ type: options.type ?? 'koreai.conversations', connection: options.connection ?? 'kore', locator }]);
  worker.wake();
  await waitAllFinal(database.db, requestId, options.timeoutMs ?? 15_000);
  const task = await onlyTask(database.db, requestId);
  const calls = callsSince(sims.kore, from);
  report(scenario, task, calls);
  return { requestId, task, calls };
}

describe('Kore.ai deletion jobs: the verdict from the counts', () => {
  it('completed with failures and retries left → keeps waiting, then succeeded when Kore.ai’s retry deletes them', async () => {
    // Kore.ai retries 1.5 s after the first run: the gateway's polls (every 0.3 s) see the failures first.
    sims.kore.control.updateSettings({ ...DEFAULTS, jobPartialFailureRate: 1, jobRecoversOnRetry: 1, jobRetryDelayMs: 1500 });
    const ids = ['cj-retry-1', 'cj-retry-2', 'cj-retry-3', 'cj-retry-4'];
    sims.kore.control.seedConversations(BOT.botId, ids.map((id) => ({ id })));
    const { task, calls } = await run('failures with retries left', { conversationIds: ids });
    expect(task.state).toBe('succeeded');
    expect(task.upstream_ref).toMatchObject({ jobStatus: 'completed', result: { totalConversations: 4, processedCount: 4, deletedCount: 4, failedCount: 0, skippedCount: 0, retriesRemaining: 2 } });
    expect(held(ids)).toEqual([]);
    // One submit, and polls that saw the first run (2 failed, retries left) before the retry: a
    // `completed` status alone did not end the task.
    expect(callCounts(calls)['koreai.conversations.delete']).toBe(1);
    expect(callCounts(calls)['koreai.jobs.get']).toBeGreaterThanOrEqual(3);
    const job = sims.kore.control.botState(BOT.botId).jobs.find((j) => j.jobId === (task.upstream_ref as { jobId: string }).jobId)!;
    const firstRun = Date.parse(job.scheduledAt);
    expect(calls.filter((c) => c.route === 'koreai.jobs.get' && c.at > firstRun && c.at < Date.parse(job.completedAt!)).length).toBeGreaterThanOrEqual(1);
  });

  it('completed with failures and no retries left → failed incomplete_job with the counts; the conversations are still there', async () => {
    sims.kore.control.updateSettings({ ...DEFAULTS, jobPartialFailureRate: 1, jobRecoversOnRetry: null, jobRetries: 1, jobRetryDelayMs: 200 });
    const ids = ['cj-fail-1', 'cj-fail-2'];
    sims.kore.control.seedConversations(BOT.botId, ids.map((id) => ({ id })));
    const { task, calls } = await run('failures, no retries left', { conversationIds: ids });
    expect(task.state).toBe('failed');
    expect(task.last_error).toMatchObject({ kind: 'incomplete_job', code: 'job_incomplete', status: 200 });
    expect(task.upstream_ref).toMatchObject({ result: { totalConversations: 2, failedCount: 1, retriesRemaining: 0 }, jobs: [{ end: 'incomplete_job' }] });
    expect(held(ids)).toEqual(['cj-fail-2']);
    expect(callCounts(calls)['koreai.conversations.delete']).toBe(1);
  });

  it('ids Kore.ai does not hold are skipped → failed incomplete_job, never succeeded', async () => {
    sims.kore.control.updateSettings(DEFAULTS);
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cj-known-1' }]);
    const { task, calls } = await run('skipped / unknown ids', { conversationIds: ['cj-known-1', 'cj-typo-2', 'cj-typo-3'] });
    expect(task.state).toBe('failed');
    expect(task.last_error).toMatchObject({ kind: 'incomplete_job' });
    expect(task.upstream_ref).toMatchObject({ result: { totalConversations: 3, deletedCount: 1, skippedCount: 2 } });
    expect(callCounts(calls)).toMatchObject({ 'koreai.conversations.delete': 1 });
  });

  it('every id skipped (the job found none of them) → failed incomplete_job', async () => {
    sims.kore.control.updateSettings(DEFAULTS);
    const { task } = await run('all ids skipped', { conversationIds: ['cj-none-1', 'cj-none-2'] });
    expect(task.state).toBe('failed');
    expect(task.last_error).toMatchObject({ kind: 'incomplete_job' });
    expect(task.upstream_ref).toMatchObject({ result: { skippedCount: 2, deletedCount: 0 } });
  });

  it('a job that processes only some ids (jobProcessLimit) but says completed → failed incomplete_job; the rest is still there', async () => {
    sims.kore.control.updateSettings({ ...DEFAULTS, jobProcessLimit: 1 });
    const ids = ['cj-limit-1', 'cj-limit-2', 'cj-limit-3'];
    sims.kore.control.seedConversations(BOT.botId, ids.map((id) => ({ id })));
    const { task } = await run('jobProcessLimit', { conversationIds: ids });
    expect(task.state).toBe('failed');
    expect(task.last_error).toMatchObject({ kind: 'incomplete_job' });
    expect(task.upstream_ref).toMatchObject({ result: { totalConversations: 3, processedCount: 1 } });
    expect(held(ids)).toEqual(['cj-limit-2', 'cj-limit-3']);
  });

  it('a channel user with nothing in range (all counts 0) → not_found', async () => {
    sims.kore.control.updateSettings(DEFAULTS);
    const { task, calls } = await run('zero found', { cId: 'u-nobody' }, { type: 'koreai.channel_user' });
    expect(task.state).toBe('not_found');
    expect(task.upstream_ref).toMatchObject({ jobStatus: 'completed', result: { totalConversations: 0, processedCount: 0, deletedCount: 0 } });
    expect(callCounts(calls)['koreai.conversations.delete']).toBe(1);
  });

  it('a job scheduled for later is polled once to learn scheduledAt, then not again until shortly after it', async () => {
    sims.kore.control.updateSettings({ ...DEFAULTS, jobDelayMs: 2500 });
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cj-night-1' }]);
    const { task, calls } = await run('scheduled for later', { conversationIds: ['cj-night-1'] });
    expect(task.state).toBe('succeeded');
    const scheduledAt = Date.parse(String((task.upstream_ref as { scheduledAt?: string }).scheduledAt));
    const polls = calls.filter((c) => c.route === 'koreai.jobs.get');
    // With the 0.3 s interval, polling that ignored scheduledAt would have made ~9 polls before it.
    expect(polls.filter((p) => p.at < scheduledAt)).toHaveLength(1);
    expect(polls).toHaveLength(2);
    expect(polls[1]!.at).toBeGreaterThanOrEqual(scheduledAt);
  });

  it('a job that timed out, re-driven, ends succeeded when its new job completes; both job ids are kept', async () => {
    // The first job is scheduled a minute out: the connection gives up on it after 2 s.
    sims.kore.control.updateSettings({ ...DEFAULTS, jobDelayMs: 60_000 });
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cj-redrive-1' }, { id: 'cj-redrive-2' }]);
    const from = logLength(sims.kore);
    const first = await run('timed out', { conversationIds: ['cj-redrive-1', 'cj-redrive-2'] }, { connection: 'kore-short' });
    expect(first.task.state).toBe('failed');
    expect(first.task.last_error).toMatchObject({ kind: 'still_in_progress', code: 'job_timeout' });

    sims.kore.control.updateSettings({ ...DEFAULTS, jobDelayMs: 200 });
    const retried = await retryRequest(database.db, first.requestId, { caller: { name: 'engine-test', tenant: 'engine-test', allTenants: false, scopes: ['erasure:write'] }, now: new Date() });
    expect(retried).toMatchObject({ kind: 'retried', retriedTasks: 1 });
    worker.wake();
    const task = await waitFor(
      async () => {
        const t = await onlyTask(database.db, first.requestId);
        return t.state === 'succeeded' || (t.state === 'failed' && t.attempts > 0 && t.redriven_at !== null && t.finished_at! > t.redriven_at) ? t : undefined;
      },
      { timeoutMs: 10_000, what: 'the re-driven task to be final' },
    );
    const calls = callsSince(sims.kore, from);
    report('timed out, then re-driven', task, calls);
    expect(task.state).toBe('succeeded');
    const ref = task.upstream_ref as { jobIds: string[]; jobId: string; jobs: Array<{ jobId: string; end?: string; submittedAt: string }> };
    expect(ref.jobIds).toHaveLength(2);
    expect(ref.jobId).toBe(ref.jobIds[1]);
    expect(ref.jobs.map((j) => j.end)).toEqual(['timed_out', 'succeeded']);
    expect(Date.parse(ref.jobs[1]!.submittedAt)).toBeGreaterThan(Date.parse(ref.jobs[0]!.submittedAt));
    expect(held(['cj-redrive-1', 'cj-redrive-2'])).toEqual([]);
    expect(callCounts(calls)['koreai.conversations.delete']).toBe(2);
  });

  it('a job that ends in a failure status → failed, with the status as its code', async () => {
    sims.kore.control.updateSettings({ ...DEFAULTS, jobFailureRate: 1 });
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cj-jobfail-1' }]);
    const { task } = await run('job failed', { conversationIds: ['cj-jobfail-1'] });
    expect(task.state).toBe('failed');
    expect(task.last_error).toMatchObject({ kind: 'answer', code: 'job_failed' });
    expect(held(['cj-jobfail-1'])).toEqual(['cj-jobfail-1']);
  });
});
