// Kore.ai conversation-deletion jobs (seed 003): schedules, partial results and retries, and the date readings.
import { afterEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/simulators/clock.ts';
import type { KoreaiSettingsInput } from '../../src/simulators/koreai/settings.ts';
import { BOT, call, koreaiAuth, simulatorPool } from './helpers.ts';

const pool = simulatorPool();
afterEach(() => pool.closeAll());

const HOUR = 3_600_000;

async function koreWithJobs(settings: KoreaiSettingsInput, start = '2026-05-04T12:00:00.000Z') {
  const clock = createManualClock(Date.parse(start));
  const { sim, bot } = await pool.koreai({ clock, settings });
  const submit = async (json: unknown) => call('POST', `${bot}/conversations/delete`, { headers: await koreaiAuth(clock.now()), json });
  const job = async (jobId: string) => (await call('GET', `${bot}/conversations/delete/${jobId}`, { headers: await koreaiAuth(clock.now()) })).body;
  const held = () => sim.control.botState(BOT.botId).conversations.map((c) => c.id).sort();
  return { sim, bot, clock, submit, job, held };
}

describe('when a job runs', () => {
  it('answers scheduledAt at once, and does not start before it even when that is hours ahead', async () => {
    const { sim, clock, submit, job, held } = await koreWithJobs({ jobDelayMs: 6 * HOUR });
    sim.control.seedConversations(BOT.botId, [{ id: 'c-1' }, { id: 'c-2' }]);
    const submitted = await submit({ conversationIds: ['c-1', 'c-2'] });
    expect(submitted.status).toBe(202);

    const queued = await job(submitted.body.jobId);
    expect(queued).toMatchObject({
      status: 'queued',
      submittedAt: '2026-05-04T12:00:00.000Z',
      scheduledAt: '2026-05-04T18:00:00.000Z',
      startedAt: null,
      completedAt: null,
      result: { totalConversations: 0, processedCount: 0, deletedCount: 0, failedCount: 0, skippedCount: 0, retriesRemaining: 3 },
    });
    clock.advance(6 * HOUR - 1);
    expect((await job(submitted.body.jobId)).status).toBe('queued');
    expect(held()).toEqual(['c-1', 'c-2']);

    clock.advance(1);
    expect(await job(submitted.body.jobId)).toMatchObject({
      status: 'completed',
      scheduledAt: '2026-05-04T18:00:00.000Z',
      startedAt: '2026-05-04T18:00:00.000Z',
      completedAt: '2026-05-04T18:00:00.000Z',
      result: { totalConversations: 2, processedCount: 2, deletedCount: 2, failedCount: 0, skippedCount: 0, retriesRemaining: 3 },
    });
    expect(held()).toEqual([]);
  });

  it('jobOffPeakHourUtc: scheduled at the next hh:00 UTC, as in the seed’s samples (17:49 → 18:00; 19:43 → 18:00 next day)', async () => {
    const { clock, submit, job } = await koreWithJobs({ jobDelayMs: 0, jobOffPeakHourUtc: 18 }, '2026-05-08T17:49:06.505Z');
    const first = await submit({ conversationIds: ['x'] });
    expect((await job(first.body.jobId)).scheduledAt).toBe('2026-05-08T18:00:00.000Z');
    clock.set(Date.parse('2026-05-08T19:43:14.534Z'));
    const second = await submit({ conversationIds: ['x'] });
    expect(await job(second.body.jobId)).toMatchObject({ status: 'queued', scheduledAt: '2026-05-09T18:00:00.000Z', startedAt: null });
    clock.set(Date.parse('2026-05-09T18:00:00.000Z'));
    expect((await job(second.body.jobId)).status).toBe('completed');
  });
});

describe('completed with failures', () => {
  it('reports completed with failedCount > 0 and retries left, then a retry deletes the failed ones and lowers retriesRemaining', async () => {
    const { sim, clock, submit, job, held } = await koreWithJobs({
      jobDelayMs: 1_000,
      jobPartialFailureRate: 1,
      jobPartialFailureShare: 0.5,
      jobRetryDelayMs: HOUR,
    });
    sim.control.seedConversations(BOT.botId, ['c-1', 'c-2', 'c-3', 'c-4'].map((id) => ({ id })));
    const submitted = await submit({ conversationIds: ['c-1', 'c-2', 'c-3', 'c-4'] });
    clock.advance(1_000);
    const firstRun = await job(submitted.body.jobId);
    expect(firstRun).toMatchObject({
      status: 'completed',
      completedAt: '2026-05-04T12:00:01.000Z',
      result: { totalConversations: 4, processedCount: 4, deletedCount: 2, failedCount: 2, skippedCount: 0, retriesRemaining: 3 },
    });
    // The failed ones are really still there, and stay so until the retry.
    expect(held()).toEqual(['c-3', 'c-4']);
    clock.advance(HOUR - 1);
    expect((await job(submitted.body.jobId)).result).toMatchObject({ failedCount: 2, retriesRemaining: 3 });
    expect(held()).toEqual(['c-3', 'c-4']);

    clock.advance(1);
    expect(await job(submitted.body.jobId)).toMatchObject({
      status: 'completed',
      startedAt: '2026-05-04T12:00:01.000Z',
      completedAt: '2026-05-04T13:00:01.000Z',
      result: { totalConversations: 4, processedCount: 4, deletedCount: 4, failedCount: 0, skippedCount: 0, retriesRemaining: 2 },
    });
    expect(held()).toEqual([]);
    expect(sim.control.deleted().conversations.map((d) => d.conversationId)).toEqual(['c-1', 'c-2', 'c-3', 'c-4']);
  });

  it('jobRecoversOnRetry null: the failures stay through every retry, ending retriesRemaining 0 with the conversations NOT deleted', async () => {
    const { sim, clock, submit, job, held } = await koreWithJobs({
      jobDelayMs: 0,
      jobPartialFailureRate: 1,
      jobPartialFailureShare: 0.25,
      jobRetryDelayMs: 1_000,
      jobRecoversOnRetry: null,
    });
    sim.control.seedConversations(BOT.botId, ['c-1', 'c-2', 'c-3', 'c-4', 'other'].map((id) => ({ id })));
    const submitted = await submit({ conversationIds: ['c-1', 'c-2', 'c-3', 'c-4'] });
    const seen: number[] = [];
    for (let i = 0; i < 4; i++) {
      const view = await job(submitted.body.jobId);
      expect(view.status).toBe('completed');
      expect(view.result).toMatchObject({ deletedCount: 3, failedCount: 1 });
      seen.push(view.result.retriesRemaining);
      clock.advance(1_000);
    }
    expect(seen).toEqual([3, 2, 1, 0]);
    clock.advance(24 * HOUR);
    expect((await job(submitted.body.jobId)).result).toEqual({
      totalConversations: 4,
      processedCount: 4,
      deletedCount: 3,
      failedCount: 1,
      skippedCount: 0,
      retriesRemaining: 0,
    });
    expect(held()).toEqual(['c-4', 'other']);
  });

  it('per conversation: deleteFailures N fails the first N attempts, whatever job tries', async () => {
    const { sim, clock, submit, job, held } = await koreWithJobs({ jobDelayMs: 0, jobRetryDelayMs: 5_000 });
    sim.control.seedConversations(BOT.botId, [{ id: 'stubborn', deleteFailures: 2 }, { id: 'easy' }, { id: 'hopeless', deleteFailures: 99 }]);
    const submitted = await submit({ conversationIds: ['stubborn', 'easy', 'hopeless'] });
    expect((await job(submitted.body.jobId)).result).toMatchObject({ deletedCount: 1, failedCount: 2, retriesRemaining: 3 });
    clock.advance(5_000);
    expect((await job(submitted.body.jobId)).result).toMatchObject({ deletedCount: 1, failedCount: 2, retriesRemaining: 2 });
    clock.advance(5_000);
    expect((await job(submitted.body.jobId)).result).toMatchObject({ deletedCount: 2, failedCount: 1, retriesRemaining: 1 });
    clock.advance(5_000);
    expect((await job(submitted.body.jobId)).result).toMatchObject({ deletedCount: 2, failedCount: 1, retriesRemaining: 0 });
    expect(held()).toEqual(['hopeless']);
  });

  it('jobFailureRate: a job that fails as a whole deletes nothing', async () => {
    const { sim, submit, job, held } = await koreWithJobs({ jobDelayMs: 0, jobFailureRate: 1, jobFailureStatus: 'error' });
    sim.control.seedConversations(BOT.botId, [{ id: 'c-1' }]);
    const submitted = await submit({ conversationIds: ['c-1', 'unknown'] });
    expect(await job(submitted.body.jobId)).toMatchObject({
      status: 'error',
      result: { totalConversations: 2, processedCount: 2, deletedCount: 0, failedCount: 1, skippedCount: 1, retriesRemaining: 0 },
    });
    expect(held()).toEqual(['c-1']);
  });
});

describe('what a job counts', () => {
  it('ids the bot does not hold count as skipped; jobProcessLimit processes only the first N and leaves the rest', async () => {
    const { sim, clock, submit, job, held } = await koreWithJobs({ jobDelayMs: 0 });
    sim.control.seedConversations(BOT.botId, ['a', 'b', 'c', 'd'].map((id) => ({ id })));
    const all = await submit({ conversationIds: ['a', 'not-held-1', 'not-held-2'] });
    expect((await job(all.body.jobId)).result).toEqual({
      totalConversations: 3,
      processedCount: 3,
      deletedCount: 1,
      failedCount: 0,
      skippedCount: 2,
      retriesRemaining: 3,
    });

    sim.control.updateSettings({ jobProcessLimit: 2 });
    clock.advance(1);
    const limited = await submit({ conversationIds: ['b', 'gone', 'c', 'd'] });
    expect(await job(limited.body.jobId)).toMatchObject({
      status: 'completed',
      result: { totalConversations: 4, processedCount: 2, deletedCount: 1, failedCount: 0, skippedCount: 1, retriesRemaining: 3 },
    });
    expect(held()).toEqual(['c', 'd']);

    // Channel-user jobs process the oldest first.
    sim.control.seedConversations(BOT.botId, [
      { id: 'u-new', cId: 'u-1', date: '2026-05-03' },
      { id: 'u-old', cId: 'u-1', date: '2026-05-01' },
      { id: 'u-mid', cId: 'u-1', date: '2026-05-02' },
    ]);
    const byUser = await submit({ cId: 'u-1' });
    expect((await job(byUser.body.jobId)).result).toMatchObject({ totalConversations: 3, processedCount: 2, deletedCount: 2 });
    expect(held()).toEqual(['c', 'd', 'u-new']);
  });

  it('a channel-user job that matches nothing completes with totalConversations 0', async () => {
    const { sim, submit, job, held } = await koreWithJobs({ jobDelayMs: 0 });
    sim.control.seedConversations(BOT.botId, [{ id: 'someone-else', cId: 'u-other', date: '2026-05-01' }, { id: 'too-old', cId: 'u-1', date: '2026-01-01' }]);
    for (const json of [{ cId: 'u-nobody' }, { cId: 'u-1', startDate: '2026-04-01', endDate: '2026-05-04' }]) {
      const submitted = await submit(json);
      expect(submitted.status).toBe(202);
      expect(await job(submitted.body.jobId)).toMatchObject({
        status: 'completed',
        requestType: 'cId',
        result: { totalConversations: 0, processedCount: 0, deletedCount: 0, failedCount: 0, skippedCount: 0 },
      });
    }
    expect(held()).toEqual(['someone-else', 'too-old']);
  });
});

describe('date readings of channel-user jobs', () => {
  const seed = [
    { id: 'day-before', cId: 'u-1', date: '2026-05-03T15:00:00.000Z' },
    { id: 'midnight', cId: 'u-1', date: '2026-05-04T00:00:00.000Z' },
    { id: 'morning', cId: 'u-1', date: '2026-05-04T09:30:00.000Z' },
  ];

  it('dateOnlyEndDate whole-day (default): endDate 2026-05-04 covers that whole day', async () => {
    const { sim, submit, job, held } = await koreWithJobs({ jobDelayMs: 0 }, '2026-05-04T12:00:00.000Z');
    sim.control.seedConversations(BOT.botId, seed);
    const submitted = await submit({ cId: 'u-1', startDate: '2026-05-01', endDate: '2026-05-04' });
    expect((await job(submitted.body.jobId)).result).toMatchObject({ totalConversations: 3, deletedCount: 3 });
    expect(held()).toEqual([]);
  });

  it('dateOnlyEndDate midnight: endDate 2026-05-04 means 00:00:00Z, later conversations that day stay, and the job still says completed', async () => {
    const { sim, submit, job, held } = await koreWithJobs({ jobDelayMs: 0, dateOnlyEndDate: 'midnight' }, '2026-05-04T12:00:00.000Z');
    sim.control.seedConversations(BOT.botId, seed);
    const submitted = await submit({ cId: 'u-1', startDate: '2026-05-01', endDate: '2026-05-04' });
    expect(await job(submitted.body.jobId)).toMatchObject({ status: 'completed', result: { totalConversations: 2, deletedCount: 2, failedCount: 0 } });
    expect(held()).toEqual(['morning']);
    // A full timestamp is read as given, whatever this setting says.
    const timestamped = await submit({ cId: 'u-1', endDate: '2026-05-04T23:59:59.999Z' });
    expect((await job(timestamped.body.jobId)).result).toMatchObject({ deletedCount: 1 });
    expect(held()).toEqual([]);
  });

  it('accepts an endDate of today, also as the seed’s T23:59:59.999Z, and refuses tomorrow', async () => {
    const { submit } = await koreWithJobs({ jobDelayMs: 0 }, '2026-05-04T00:30:00.000Z');
    for (const endDate of ['2026-05-04', '2026-05-04T23:59:59.999Z', '2026-05-04T00:00:00.000Z']) {
      expect((await submit({ cId: 'u-1', startDate: '2026-05-04T00:00:00.000Z', endDate })).status).toBe(202);
    }
    for (const endDate of ['2026-05-05', '2026-05-05T00:00:00.000Z']) {
      const refused = await submit({ cId: 'u-1', endDate });
      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({ errors: [{ msg: 'endDate cannot be a future date', code: 400 }] });
    }
  });
});

describe('lost answers and unknown jobs', () => {
  it('a dropped answer after queuing: the job is queued anyway; a second submit queues a second job; both run', async () => {
    const clock = createManualClock();
    const { sim, bot } = await pool.koreai({
      clock,
      settings: { jobDelayMs: 1_000 },
      faults: { routes: { 'koreai.conversations.delete': { dropRate: 1, phase: 'after' } } },
    });
    sim.control.seedConversations(BOT.botId, [{ id: 'c-1' }, { id: 'c-2' }]);
    const headers = await koreaiAuth(clock.now());
    const body = { conversationIds: ['c-1', 'c-2'] };
    await expect(call('POST', `${bot}/conversations/delete`, { headers, json: body })).rejects.toThrow();
    expect(sim.control.botState(BOT.botId).jobs).toMatchObject([{ status: 'queued' }]);

    sim.control.setFaults({});
    const second = await call('POST', `${bot}/conversations/delete`, { headers, json: body });
    expect(second.status).toBe(202);
    clock.advance(1_000);
    const jobs = sim.control.botState(BOT.botId).jobs;
    expect(jobs).toHaveLength(2);
    expect(jobs[1]?.jobId).toBe(second.body.jobId);
    expect(jobs.map((j) => [j.status, j.result.deletedCount, j.result.skippedCount])).toEqual([
      ['completed', 2, 0],
      ['completed', 0, 2],
    ]);
    expect(sim.control.requests().log.map((e) => [e.route, e.status, e.fault])).toEqual([
      ['koreai.conversations.delete', null, 'drop'],
      ['koreai.conversations.delete', 202, null],
    ]);
    expect(sim.control.deleted().conversations.map((d) => [d.conversationId, d.jobId])).toEqual([
      ['c-1', jobs[0]?.jobId],
      ['c-2', jobs[0]?.jobId],
    ]);
  });

  it('an unknown job id answers Kore.ai’s JSON error 404', async () => {
    const { bot } = await pool.koreai();
    const answer = await call('GET', `${bot}/conversations/delete/cdj-unknown`, { headers: await koreaiAuth() });
    expect(answer.status).toBe(404);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(answer.body).toEqual({ errors: [{ msg: 'Job not found', code: 404 }] });
  });
});
