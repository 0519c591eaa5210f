// A job submit whose answer is lost after Kore.ai queued the job (the connection drops): the task submits
// again and keeps the job id it receives; the lost answer is recorded in the task, the trail and the
// evidence ("a job may have been queued twice"), so an auditor knows Kore.ai may hold a job the gateway
// never saw. The verdict still comes only from the job the gateway polls.
import { randomIds } from '../../src/clock.ts';
import { ALL_TENANTS } from '../../src/domain/caller.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../src/db/events.ts';
import { verifyChain } from '../../src/domain/event-chain.ts';
import { issueEvidence } from '../../src/evidence/issue-evidence.ts';
import { ephemeralSigningKey } from '../../src/evidence/signing-key.ts';
import type { Worker } from '../../src/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { BOT, insertRequest, startSimulators, startTestWorker, waitAllFinal, waitFor, type Simulators } from './helpers.ts';
import { callCounts, callsSince, koreConnectionsConfig, logLength, onlyTask, report } from './koreai-helpers.ts';

let database: TestDatabase;
let sims: Simulators;
let worker: Worker;
const key = ephemeralSigningKey('lost-submit-test');

beforeAll(async () => {
  database = await createTestDatabase();
  sims = await startSimulators({ jobDelayMs: 200 });
  // Retries come at least 0.5 s later: time for the test to stop dropping answers after the first.
  const config = koreConnectionsConfig({ kore: { url: sims.koreUrl } }, sims.cartesiaUrl, { backoffBaseMs: 500, backoffCapMs: 1000 });
  worker = startTestWorker(database, config);
});

afterAll(async () => {
  await worker?.stop();
  await sims?.close();
  await database?.close();
});

/** Drops the answer of the next job submit only (the job is queued, the socket destroyed). */
async function loseFirstSubmitAnswer(from: number): Promise<void> {
  sims.kore.control.setFaults({ routes: { 'koreai.conversations.delete': { dropRate: 1, phase: 'after' } } });
  await waitFor(async () => callsSince(sims.kore, from, 'koreai.conversations.delete').length > 0, { timeoutMs: 5000, intervalMs: 10, what: 'the first submit' });
  sims.kore.control.setFaults({});
}

async function scenario(name: string, task: { type: 'koreai.conversations' | 'koreai.channel_user'; locator: Record<string, unknown> }) {
  const from = logLength(sims.kore);
  const jobsBefore = new Set(sims.kore.control.botState(BOT.botId).jobs.map((j) => j.jobId));
  const requestId = await insertRequest(database.db, [{ ...task, connection: 'kore' }]);
  worker.wake();
  await loseFirstSubmitAnswer(from);
  await waitAllFinal(database.db, requestId, 15_000);
  const row = await onlyTask(database.db, requestId);
  const calls = callsSince(sims.kore, from);
  report(name, row, calls);
  const jobs = sims.kore.control.botState(BOT.botId).jobs.filter((j) => !jobsBefore.has(j.jobId));
  const events = await listEvents(database.db, requestId);
  const evidence = await issueEvidence(database.db, requestId, { scope: ALL_TENANTS, key, now: new Date(), hashKey: 'lost-submit-test-hash-key', ids: randomIds });
  if (evidence.kind !== 'issued') throw new Error(`no evidence: ${evidence.kind}`);
  return { row, calls, jobs, events, evidence: evidence.payload };
}

describe('a job submit whose answer was lost', () => {
  it('conversation ids: two jobs queued, the one the gateway saw skips them all → failed incomplete_job; the lost answer is in the task, trail and evidence', async () => {
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cl-lost-1' }, { id: 'cl-lost-2' }]);
    const { row, calls, jobs, events, evidence } = await scenario('lost submit answer (ids)', { type: 'koreai.conversations', locator: { conversationIds: ['cl-lost-1', 'cl-lost-2'] } });

    // Kore.ai holds two jobs: the first (answer lost) deleted the conversations, the second found them gone.
    expect(jobs).toHaveLength(2);
    const [unseen, seen] = jobs;
    expect(sims.kore.control.deleted().conversations.filter((c) => c.conversationId.startsWith('cl-lost-')).map((c) => c.jobId)).toEqual([unseen!.jobId, unseen!.jobId]);
    expect(callCounts(calls)['koreai.conversations.delete']).toBe(2);

    // The verdict is the seen job's counts (every id skipped): not a claim of erasure.
    expect(row.state).toBe('failed');
    expect(row.last_error).toMatchObject({ kind: 'incomplete_job' });
    expect(row.upstream_ref).toMatchObject({
      jobId: seen!.jobId,
      jobIds: [seen!.jobId],
      result: { skippedCount: 2, deletedCount: 0 },
      lostSubmits: [{ reason: 'connection', at: expect.any(String) }],
    });

    // The trail: the dropped call, the lost answer named as such, and the job id on the state changes.
    expect(verifyChain(events).valid).toBe(true);
    const lost = events.filter((e) => e.type === 'koreai.job_submit_answer_lost');
    expect(lost).toHaveLength(1);
    expect(lost[0]!.data).toMatchObject({ connection: 'kore', reason: 'connection', lostSubmits: 1, mayHaveQueuedJob: true });
    const submits = events.filter((e) => e.type === 'upstream.call' && e.data.operation === 'conversations.job_submit');
    expect(submits.map((e) => e.data.status)).toEqual([null, 202]);
    expect(submits[1]!.data.upstreamRef).toEqual({ jobId: seen!.jobId });
    expect(events.filter((e) => e.type === 'task.state_changed').at(-1)!.data).toMatchObject({ to: 'failed', jobIds: [seen!.jobId], result: { skippedCount: 2 } });

    // The evidence: every job id received, and the note an auditor reads.
    const t = evidence.tasks[0]!;
    expect(t.jobIds).toEqual([seen!.jobId]);
    expect(t.notes).toHaveLength(1);
    expect(t.notes![0]).toContain('a job may have been queued twice');
    expect(JSON.stringify(events)).not.toContain('cl-lost-');
  });

  it('a channel user: the job the gateway saw finds nothing left → not_found, with the lost answer noted', async () => {
    sims.kore.control.seedConversations(BOT.botId, [{ id: 'cl-user-1', cId: 'u-lost-answer' }]);
    const { row, jobs, events, evidence } = await scenario('lost submit answer (channel user)', { type: 'koreai.channel_user', locator: { cId: 'u-lost-answer' } });
    expect(jobs).toHaveLength(2);
    expect(row.state).toBe('not_found');
    expect(row.upstream_ref).toMatchObject({ jobIds: [jobs[1]!.jobId], result: { totalConversations: 0 }, lostSubmits: [{ reason: 'connection' }] });
    expect(events.filter((e) => e.type === 'koreai.job_submit_answer_lost')).toHaveLength(1);
    expect(evidence.tasks[0]).toMatchObject({ state: 'not_found', jobIds: [jobs[1]!.jobId], notes: [expect.stringContaining('a job may have been queued twice')] });
    expect(JSON.stringify(events)).not.toContain('u-lost-answer');
  });
});
