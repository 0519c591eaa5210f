import { describe, expect, it } from 'vitest';
import { expectedWaitsOf, shortestVendorBoundMs, stalledSince, type VendorWaitBounds, type WatchdogPolicy, type WatchedTask } from './watchdog.ts';

const H = 3_600_000;
const MIN = 60_000;
const NOW = new Date('2026-03-10T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const iso = (d: Date) => d.toISOString();

const BOUNDS: VendorWaitBounds = { koreaiJobMs: 24 * H, recordingInProgressMs: 48 * H, activeCallMs: 24 * H };
const policy: WatchdogPolicy = { graceMs: 15 * MIN, boundsOf: (c) => (c === 'gone' ? undefined : BOUNDS) };

function task(fields: Partial<WatchedTask>): WatchedTask {
  return {
    type: 'cartesia.call',
    state: 'pending',
    phase: 'start',
    connection: 'conn',
    nextAttemptAt: NOW,
    leaseExpiresAt: null,
    upstreamRef: null,
    createdAt: ago(30 * H),
    redrivenAt: null,
    connectionPausedUntil: null,
    ...fields,
  };
}

/** A Kore.ai job submitted `age` ago, polled next at `nextPollIn` from now. */
function koreaiJob(age: number, nextPollIn: number, fields: Partial<WatchedTask> = {}): WatchedTask {
  return task({
    type: 'koreai.conversations',
    state: 'waiting',
    phase: 'poll',
    nextAttemptAt: new Date(NOW.getTime() + nextPollIn),
    upstreamRef: { jobId: 'job-1', jobStatus: 'queued', submittedAt: iso(ago(age)) },
    ...fields,
  });
}

describe('stalledSince: a task within its expected wait is never stalled', () => {
  it('a Kore.ai job polled for 20 h of a 24 h jobMaxAgeHours is not stalled', () => {
    const job = koreaiJob(20 * H, 15 * MIN);
    expect(stalledSince(job, policy, NOW)).toBeNull();
    expect(expectedWaitsOf(job, policy)).toEqual([
      { kind: 'claim', since: job.nextAttemptAt, ms: 15 * MIN },
      { kind: 'koreai_job', since: ago(20 * H), ms: 24 * H + 15 * MIN },
    ]);
  });

  it('a Kore.ai job whose poll is due a few minutes ago (within the grace) is not stalled', () => {
    expect(stalledSince(koreaiJob(20 * H, -10 * MIN), policy, NOW)).toBeNull();
  });

  it('a pending task waiting out its backoff is not stalled, however long the backoff', () => {
    expect(stalledSince(task({ nextAttemptAt: new Date(NOW.getTime() + 6 * H) }), policy, NOW)).toBeNull();
  });

  it('a pending task at a connection paused by a rate limit waits out the pause', () => {
    const t = task({ nextAttemptAt: ago(2 * H), connectionPausedUntil: new Date(NOW.getTime() + 10 * MIN) });
    expect(stalledSince(t, policy, NOW)).toBeNull();
  });

  it('a running task within its lease is not stalled', () => {
    expect(stalledSince(task({ state: 'running', leaseExpiresAt: new Date(NOW.getTime() + 30_000) }), policy, NOW)).toBeNull();
  });

  it('a recording in progress for 40 h of 48 h, re-checked on time, is not stalled', () => {
    const t = task({
      type: 'koreai.recording',
      phase: 'check',
      nextAttemptAt: new Date(NOW.getTime() + H),
      upstreamRef: { recordingStatus: 'media_in_progress', wait: { since: iso(ago(40 * H)), checks: 12 } },
    });
    expect(stalledSince(t, policy, NOW)).toBeNull();
  });

  it('a Cartesia call active for 23 h of 24 h is not stalled', () => {
    const t = task({ phase: 'await_end', nextAttemptAt: new Date(NOW.getTime() + 10 * MIN), upstreamRef: { callStatus: 'started', activeCallWait: { since: iso(ago(23 * H)), checks: 40 } } });
    expect(stalledSince(t, policy, NOW)).toBeNull();
  });

  it('a final task is never stalled', () => {
    for (const state of ['succeeded', 'not_found', 'failed', 'cancelled'] as const) {
      expect(stalledSince(task({ state, nextAttemptAt: ago(30 * H) }), policy, NOW)).toBeNull();
      expect(expectedWaitsOf(task({ state }), policy)).toEqual([]);
    }
  });
});

describe('stalledSince: past its expected wait', () => {
  it('a pending task nobody claimed for longer than the grace after it was due: stalled from due + grace', () => {
    const t = task({ nextAttemptAt: ago(40 * MIN) });
    expect(stalledSince(t, policy, NOW)).toEqual({ kind: 'claim', since: ago(25 * MIN), waitingSince: ago(40 * MIN) });
  });

  it('a Kore.ai job whose poll nobody made is stalled (claim), though the job is within its age', () => {
    expect(stalledSince(koreaiJob(2 * H, -H), policy, NOW)).toMatchObject({ kind: 'claim', since: ago(45 * MIN) });
  });

  it('a Kore.ai job past jobMaxAgeHours + grace, still open (its polls keep failing), is stalled (koreai_job)', () => {
    const t = koreaiJob(25 * H, 10 * MIN, { state: 'pending' });
    expect(stalledSince(t, policy, NOW)).toEqual({ kind: 'koreai_job', since: ago(45 * MIN), waitingSince: ago(25 * H) });
  });

  it('a channel-user job counts like a conversations job; a job not yet submitted has no job wait', () => {
    expect(stalledSince(koreaiJob(25 * H, 10 * MIN, { type: 'koreai.channel_user' }), policy, NOW)?.kind).toBe('koreai_job');
    expect(stalledSince(koreaiJob(25 * H, 10 * MIN, { phase: 'start', state: 'pending' }), policy, NOW)).toBeNull();
  });

  it('a recording in progress past recordingMaxWaitHours + grace is stalled (recording_in_progress)', () => {
    const t = task({
      type: 'koreai.recording',
      phase: 'check',
      nextAttemptAt: new Date(NOW.getTime() + H),
      upstreamRef: { recordingStatus: 'call_in_progress', wait: { since: iso(ago(49 * H)), checks: 50 } },
    });
    expect(stalledSince(t, policy, NOW)).toEqual({ kind: 'recording_in_progress', since: ago(45 * MIN), waitingSince: ago(49 * H) });
  });

  it('a recording past its check (delete, confirm) is not judged by the in-progress wait it left behind', () => {
    const t = task({ type: 'koreai.recording', phase: 'confirm', nextAttemptAt: NOW, upstreamRef: { recordingStatus: 'success', wait: { since: iso(ago(49 * H)), checks: 5 } } });
    expect(stalledSince(t, policy, NOW)).toBeNull();
  });

  it('a Cartesia call active past activeCallMaxWaitHours + grace is stalled (active_call)', () => {
    const t = task({ phase: 'await_end', nextAttemptAt: new Date(NOW.getTime() + MIN), upstreamRef: { callStatus: 'started', activeCallWait: { since: iso(ago(25 * H)), checks: 90 } } });
    expect(stalledSince(t, policy, NOW)).toEqual({ kind: 'active_call', since: ago(45 * MIN), waitingSince: ago(25 * H) });
  });

  it('a running task whose lease ended more than the grace ago (no sweeper) is stalled (lease)', () => {
    expect(stalledSince(task({ state: 'running', leaseExpiresAt: ago(20 * MIN) }), policy, NOW)).toMatchObject({ kind: 'lease', since: ago(5 * MIN) });
  });

  it('a paused connection: stalled only once the pause is over by more than the grace', () => {
    const t = task({ nextAttemptAt: ago(3 * H), connectionPausedUntil: ago(20 * MIN) });
    expect(stalledSince(t, policy, NOW)).toMatchObject({ kind: 'claim', since: ago(5 * MIN) });
  });

  it('of two overrun waits, the one that ended first says since when', () => {
    // The job's bound (24 h + 15 min) ended 2 h 45 ago; its overdue poll's grace only 45 min ago.
    const t = koreaiJob(27 * H, -H, { state: 'pending' });
    expect(stalledSince(t, policy, NOW)).toMatchObject({ kind: 'koreai_job', since: ago(165 * MIN) });
  });

  it('a wait that began before the task was re-driven does not count', () => {
    const t = task({
      phase: 'await_end',
      nextAttemptAt: new Date(NOW.getTime() + MIN),
      redrivenAt: ago(H),
      upstreamRef: { callStatus: 'started', activeCallWait: { since: iso(ago(30 * H)), checks: 90 } },
    });
    expect(stalledSince(t, policy, NOW)).toBeNull();
  });

  it('a connection not configured here has no vendor bounds; its unclaimed tasks are still stalled', () => {
    expect(stalledSince(koreaiJob(30 * H, 10 * MIN, { connection: 'gone' }), policy, NOW)).toBeNull();
    expect(stalledSince(task({ connection: 'gone', nextAttemptAt: ago(H) }), policy, NOW)?.kind).toBe('claim');
  });

  it('a callback delivery (no connection) is judged by its due time only', () => {
    expect(stalledSince(task({ type: 'callback', connection: null, nextAttemptAt: ago(H) }), policy, NOW)?.kind).toBe('claim');
    expect(stalledSince(task({ type: 'callback', connection: null, nextAttemptAt: ago(MIN) }), policy, NOW)).toBeNull();
  });
});

it('shortestVendorBoundMs: the least of every bound of every connection', () => {
  expect(shortestVendorBoundMs([BOUNDS, { koreaiJobMs: 72 * H, recordingInProgressMs: 6 * H, activeCallMs: 24 * H }])).toBe(6 * H);
});
