import { describe, expect, it } from 'vitest';
import type { ClaimedTask } from '../domain/task-execution.ts';
import { planSettlement, type SettlementSettings } from './plan-settlement.ts';
import { settlementEvents } from '../domain/settlement.ts';

const now = new Date('2026-03-01T12:00:00Z');
const s: SettlementSettings = { backoff: { baseMs: 1000, capMs: 60_000 }, maxAttempts: 5, maxTaskAgeMs: 24 * 3_600_000 };
const task = (over: Partial<ClaimedTask> = {}): ClaimedTask => ({
  id: 't1',
  requestId: 'r1',
  type: 'koreai.recording',
  connection: 'kore',
  locator: { sessionId: 'sess-secret' },
  phase: 'check',
  claimedFrom: 'pending',
  attempts: 0,
  upstreamRef: null,
  createdAt: new Date(now.getTime() - 60_000),
  firstSentAt: null,
  leaseExpiresAt: new Date(now.getTime() + 60_000),
  ...over,
});
const call = { operation: 'recording.check', method: 'GET', pathTemplate: '/api/public/bot/{botId}/v2/recordings?sessionId={sessionId}', status: 200, latencyMs: 12 };

describe('planSettlement', () => {
  it('final outcomes finish the task and keep earlier upstream references', () => {
    const p = planSettlement(task({ phase: 'confirm', upstreamRef: { deleteStatus: 200 } }), { outcome: { kind: 'succeeded', upstreamRef: { recordingStatus: 'media_unavailable' } }, call }, s, now);
    expect(p).toMatchObject({ state: 'succeeded', finishedAt: now, sentAt: now, upstreamRef: { deleteStatus: 200, recordingStatus: 'media_unavailable' }, lastError: null });
  });

  it('continue re-queues the next phase now; waiting checks again later; neither is an attempt', () => {
    expect(planSettlement(task(), { outcome: { kind: 'continue', phase: 'delete' }, call }, s, now)).toMatchObject({ state: 'pending', phase: 'delete', nextAttemptAt: now, attempts: 0 });
    const w = planSettlement(task({ type: 'koreai.conversations', phase: 'start' }), { outcome: { kind: 'waiting', phase: 'poll', afterMs: 900_000, upstreamRef: { jobId: 'cdj-1' } }, call }, s, now);
    expect(w).toMatchObject({ state: 'waiting', phase: 'poll', attempts: 0, upstreamRef: { jobId: 'cdj-1' }, finishedAt: null });
    expect(w.nextAttemptAt.getTime() - now.getTime()).toBe(900_000);
  });

  it('recheck (call in progress) waits without counting an attempt', () => {
    const p = planSettlement(task({ attempts: 2 }), { outcome: { kind: 'recheck', afterMs: 300_000, reason: 'call_in_progress' }, call }, s, now);
    expect(p).toMatchObject({ state: 'pending', attempts: 2, failedAttempt: false });
    expect(p.nextAttemptAt.getTime() - now.getTime()).toBe(300_000);
  });

  it('retry backs off with jitter, never before Retry-After, and counts an attempt', () => {
    const p = planSettlement(task(), { outcome: { kind: 'retry', error: { kind: 'http', status: 503, message: 'x' }, retryAfterMs: 30_000 }, call }, s, now, () => 0.5);
    expect(p).toMatchObject({ state: 'pending', attempts: 1, failedAttempt: true, lastError: { status: 503 } });
    expect(p.nextAttemptAt.getTime() - now.getTime()).toBe(30_000);
    const q = planSettlement(task({ attempts: 2 }), { outcome: { kind: 'retry', error: { kind: 'transport', code: 'timeout', message: 'x' } }, call }, s, now, () => 0);
    expect(q.nextAttemptAt.getTime() - now.getTime()).toBe(1000);
  });

  it('fails with the last error after maxAttempts', () => {
    const p = planSettlement(task({ attempts: 4 }), { outcome: { kind: 'retry', error: { kind: 'http', status: 500, message: 'boom' } }, call }, s, now);
    expect(p).toMatchObject({ state: 'failed', attempts: 5, finishedAt: now, lastError: { status: 500, message: 'boom', gaveUp: 'max_attempts' } });
  });

  it('fails when the next try would fall past the task age limit', () => {
    const old = task({ createdAt: new Date(now.getTime() - 24 * 3_600_000 + 10_000) });
    const p = planSettlement(old, { outcome: { kind: 'recheck', afterMs: 60_000, reason: 'call_in_progress' }, call }, s, now);
    expect(p).toMatchObject({ state: 'failed', lastError: { code: 'max_task_age' } });
  });

  it('keeps upstream rate-limit pauses for the connection', () => {
    const p = planSettlement(task(), { outcome: { kind: 'retry', error: { kind: 'http', status: 429, message: 'x' }, retryAfterMs: 2000, pauseConnectionMs: 2000 }, call }, s, now);
    expect(p.pauseConnectionMs).toBe(2000);
    expect(p.attempts).toBe(1);
  });

  it('a rate-limited answer that spends no attempt pauses until a window has room, and never fails the task', () => {
    const limited = { kind: 'retry' as const, error: { kind: 'http' as const, status: 200, message: 'x' }, retryAfterMs: 1000, pauseConnectionMs: 1000, pauseUntilWindowRoomSeconds: 3600, notAnAttempt: true };
    const p = planSettlement(task({ attempts: 4 }), { outcome: limited, call }, s, now, () => 0);
    expect(p).toMatchObject({ state: 'pending', attempts: 4, failedAttempt: true, pauseConnectionMs: 1000, pauseUntilWindowRoomSeconds: 3600 });
  });

  it('a retry may keep facts in the upstream reference (a submit whose answer was lost)', () => {
    const lost = { kind: 'retry' as const, error: { kind: 'transport' as const, code: 'connection', message: 'x' }, upstreamRef: { lostSubmits: [{ at: now.toISOString(), reason: 'connection' }] } };
    const p = planSettlement(task({ upstreamRef: { jobIds: ['cdj-1'] } }), { outcome: lost, call }, s, now);
    expect(p.upstreamRef).toEqual({ jobIds: ['cdj-1'], lostSubmits: [{ at: now.toISOString(), reason: 'connection' }] });
  });
});

describe('settlementEvents', () => {
  it('records the call (path template, status, latency) and the state change, never locator values or messages', () => {
    const t = task();
    const result = { outcome: { kind: 'retry' as const, error: { kind: 'http' as const, status: 500, message: 'session sess-secret failed' } }, call };
    const plan = planSettlement(t, result, s, now);
    const events = settlementEvents({ task: t, plan, result, actor: 'worker:w1', now });
    expect(events.map((e) => e.type)).toEqual(['upstream.call', 'task.state_changed']);
    expect(events[0]!.data).toMatchObject({ method: 'GET', path: call.pathTemplate, status: 200, latencyMs: 12, connection: 'kore' });
    expect(events[1]!.data).toMatchObject({ from: 'pending', to: 'pending', attempts: 1, error: { kind: 'http', status: 500 } });
    expect(JSON.stringify(events)).not.toContain('sess-secret');
  });

  it('emits no state change when nothing changed (a job still queued)', () => {
    const t = task({ type: 'koreai.conversations', phase: 'poll', claimedFrom: 'waiting', upstreamRef: { jobId: 'cdj-1' } });
    const result = { outcome: { kind: 'waiting' as const, afterMs: 1000, phase: 'poll' }, call };
    const events = settlementEvents({ task: t, plan: planSettlement(t, result, s, now), result, actor: 'worker:w1', now });
    expect(events.map((e) => e.type)).toEqual(['upstream.call']);
  });
});
