// From an executor's outcome to the task's next state. Pure, so every rule is unit-tested:
//   succeeded / not_found / failed / cancelled → final;  waiting → `waiting` (job accepted, check at T);
//   continue → next phase, `pending` now (or after a short wait);  recheck → `pending` at T, not an attempt;
//   retry → `pending` after backoff (never before Retry-After), attempts + 1, until maxAttempts.
// Whatever the outcome, a task never stays open past its age limit (created + maxTaskAge).
import type { JsonObject } from '../domain/json.ts';
import type { TaskUpdatePlan, ClaimedTask, ExecutionResult } from '../domain/task-execution.ts';
import type { TaskState } from '../domain/types.ts';
import type { ErrorSummary, Outcome } from '../domain/outcome.ts';
import { retryDelayMs, type BackoffSettings } from './backoff.ts';

export type SettlementSettings = {
  backoff: BackoffSettings;
  maxAttempts: number;
  maxTaskAgeMs: number;
};


const mergeRef = (prev: JsonObject | null, next: JsonObject | undefined): JsonObject | null =>
  next === undefined ? prev : { ...(prev ?? {}), ...next };

const errorJson = (e: ErrorSummary, extra: JsonObject = {}): JsonObject => ({ ...e, ...extra });

export function planSettlement(
  task: ClaimedTask,
  result: ExecutionResult,
  s: SettlementSettings,
  now: Date,
  random: () => number = Math.random,
): TaskUpdatePlan {
  const plan = planOutcome(task, result, s, now, random);
  // What a discovery found is added whatever became of the discovery itself (even past its age limit):
  // the data is there and must be erased.
  const found = 'addTasks' in result.outcome ? result.outcome.addTasks : undefined;
  return found !== undefined && found.length > 0 ? { ...plan, addTasks: found } : plan;
}

function planOutcome(task: ClaimedTask, result: ExecutionResult, s: SettlementSettings, now: Date, random: () => number): TaskUpdatePlan {
  const outcome: Outcome = result.outcome;
  const base = {
    phase: task.phase,
    attempts: task.attempts,
    upstreamRef: task.upstreamRef,
    lastError: null as JsonObject | null,
    sentAt: result.call !== undefined ? now : null,
    failedAttempt: false,
  };
  const final = (state: TaskState, fields: Partial<TaskUpdatePlan>): TaskUpdatePlan => ({
    ...base,
    state,
    nextAttemptAt: now,
    finishedAt: now,
    ...fields,
  });
  const deadline = task.createdAt.getTime() + s.maxTaskAgeMs;
  const later = (state: TaskState, afterMs: number, fields: Partial<TaskUpdatePlan>, lastError: ErrorSummary | null): TaskUpdatePlan => {
    const at = now.getTime() + Math.max(0, afterMs);
    if (at > deadline) {
      const error: ErrorSummary = { kind: 'gateway', code: 'max_task_age', message: `not final within ${Math.round(s.maxTaskAgeMs / 3_600_000)} h of the request` };
      return final('failed', { ...fields, lastError: errorJson(error, lastError === null ? {} : { last: errorJson(lastError) }) });
    }
    return { ...base, state, nextAttemptAt: new Date(at), finishedAt: null, ...fields, lastError: lastError === null ? fields.lastError ?? null : errorJson(lastError) };
  };

  switch (outcome.kind) {
    case 'succeeded':
    case 'not_found':
      return final(outcome.kind, { upstreamRef: mergeRef(task.upstreamRef, outcome.upstreamRef) });
    case 'failed':
      return final('failed', {
        lastError: errorJson(outcome.error),
        failedAttempt: true,
        attempts: task.attempts + 1,
        upstreamRef: mergeRef(task.upstreamRef, outcome.upstreamRef),
      });
    case 'cancelled':
      return final('cancelled', { lastError: errorJson({ kind: 'gateway', code: outcome.code, message: outcome.message }) });
    case 'waiting':
      return later('waiting', outcome.afterMs, { phase: outcome.phase ?? task.phase, upstreamRef: mergeRef(task.upstreamRef, outcome.upstreamRef) }, null);
    case 'continue':
      return later(
        'pending',
        outcome.afterMs ?? 0,
        { phase: outcome.phase, upstreamRef: mergeRef(task.upstreamRef, outcome.upstreamRef), ...(outcome.freshAttempts === true ? { attempts: 0 } : {}) },
        null,
      );
    case 'recheck':
      return later(
        'pending',
        outcome.afterMs,
        { phase: outcome.phase ?? task.phase, upstreamRef: mergeRef(task.upstreamRef, outcome.upstreamRef), lastError: { kind: 'recheck', reason: outcome.reason } },
        null,
      );
    case 'retry': {
      // A rate-limited answer says nothing about the task: it waits out the pause without spending an
      // attempt (the age limit still bounds it).
      const attempts = outcome.notAnAttempt === true ? task.attempts : task.attempts + 1;
      const phase = outcome.phase ?? task.phase;
      const pause: Partial<TaskUpdatePlan> = {};
      if (outcome.pauseConnectionMs !== undefined) pause.pauseConnectionMs = outcome.pauseConnectionMs;
      if (outcome.pauseUntilWindowRoomSeconds !== undefined) pause.pauseUntilWindowRoomSeconds = outcome.pauseUntilWindowRoomSeconds;
      const upstreamRef = mergeRef(task.upstreamRef, outcome.upstreamRef);
      if (attempts >= s.maxAttempts) {
        return final('failed', { attempts, phase, upstreamRef, failedAttempt: true, lastError: errorJson(outcome.error, { gaveUp: 'max_attempts' }), ...pause });
      }
      const delay = retryDelayMs(attempts, s.backoff, outcome.retryAfterMs, random);
      return later('pending', delay, { attempts, phase, upstreamRef, failedAttempt: true, ...pause }, outcome.error);
    }
  }
}
