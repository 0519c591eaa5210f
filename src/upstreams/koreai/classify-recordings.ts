// Kore.ai call recordings (seeds 000–002), one session per task: `check` (v2 status) → `delete` →
// `confirm` (v2 status). Only v2's own statuses are verdicts: `media_unavailable` before deleting is
// `not_found`, after deleting `succeeded`. A deletion takes a moment to show, so the confirm waits
// recordingConfirmDelaySeconds and looks a few times before deleting again. A call or its media in
// progress is a bounded, counted wait (domain/bounded-wait.ts: 5 min doubling to 1 h, at most
// recordingMaxWaitHours), then `failed` with kind `still_in_progress`.
import { nextWait, readWaitState } from '../../domain/bounded-wait.ts';
import type { JsonObject } from '../../domain/json.ts';
import type { Outcome } from '../../domain/outcome.ts';
import { asObject, asString, type UpstreamResponse } from '../http.ts';
import { classifyCommon, classifyOtherError, isKoreaiError, isSuccess, unrecognisedAnswer, type KoreaiTimings } from './classify.ts';

export const RECORDING_PHASES = ['check', 'delete', 'confirm'] as const;
/** Confirm checks after one DELETE before it is sent again (each waits twice as long as the one before). */
export const RECORDING_CONFIRM_CHECKS = 3;
/** Longest wait between two checks of a call or media in progress. */
export const RECORDING_WAIT_MAX_INTERVAL_MS = 3_600_000;

export type RecordingContext = {
  /** The task's upstream reference so far (its wait and confirm counts). */
  ref: JsonObject | null;
  /** The task starts over (new, or re-driven): an earlier wait does not count against this one. */
  freshStart: boolean;
};

/** v2 recording status: the one fact the check and confirm phases act on. */
export function recordingStatus(res: UpstreamResponse): string | undefined {
  return asString(asObject(res.json).status);
}

/** The answer of a v2 GET, when it is one: JSON with a string status. */
function v2Answer(res: UpstreamResponse, t: KoreaiTimings, now: Date, phase: string): { outcome: Outcome } | { status: string } {
  const common = classifyCommon(res, t, now);
  if (common !== null) return { outcome: common };
  if (!isSuccess(res.status)) return { outcome: classifyOtherError(res, `recording ${phase}`) };
  const status = recordingStatus(res);
  if (status === undefined) return { outcome: unrecognisedAnswer(res, 'no_status', `recording ${phase} answer without a status`) };
  return { status };
}

/** A v2 status we do not know: not a verdict; asked again within the task's bounds (Kore.ai may add values). */
function unknownStatus(res: UpstreamResponse, status: string): Outcome {
  const code = `status_${status.toLowerCase().replace(/[^a-z0-9]+/g, '_').slice(0, 40)}`;
  return unrecognisedAnswer(res, code, `unexpected recording status`);
}

/** The call or its media is still in progress: check again later, backing off, within recordingMaxWaitHours. */
function inProgress(res: UpstreamResponse, status: string, t: KoreaiTimings, now: Date, ctx: RecordingContext): Outcome {
  const previous = ctx.freshStart ? undefined : readWaitState(ctx.ref?.wait);
  const step = nextWait(previous, now, { initialMs: t.recordingRecheckMs, maxIntervalMs: RECORDING_WAIT_MAX_INTERVAL_MS, maxTotalMs: t.recordingMaxWaitMs });
  const upstreamRef: JsonObject = { recordingStatus: status, wait: { ...step.state } };
  if (step.kind === 'expired') {
    const hours = Math.round((step.waitedMs / 3_600_000) * 10) / 10;
    return {
      kind: 'failed',
      error: { kind: 'still_in_progress', status: res.status, code: status, message: `recording still "${status}" after ${hours} h and ${step.state.checks} checks` },
      upstreamRef,
    };
  }
  return { kind: 'recheck', afterMs: step.afterMs, reason: status, phase: 'check', upstreamRef };
}

/** Phase `check`: GET …/v2/recordings?sessionId= before deleting. */
export function classifyRecordingCheck(res: UpstreamResponse, t: KoreaiTimings, now: Date, ctx: RecordingContext = { ref: null, freshStart: true }): Outcome {
  const answer = v2Answer(res, t, now, 'check');
  if ('outcome' in answer) return answer.outcome;
  switch (answer.status) {
    case 'media_unavailable':
      return { kind: 'not_found', upstreamRef: { recordingStatus: answer.status, checkedAt: now.toISOString() } };
    case 'call_in_progress':
    case 'media_in_progress':
      return inProgress(res, answer.status, t, now, ctx);
    case 'success':
      return { kind: 'continue', phase: 'delete', upstreamRef: { recordingStatus: answer.status } };
    default:
      return unknownStatus(res, answer.status);
  }
}

/**
 * Phase `delete`. The answers for "nothing to delete" and "call in progress" are undocumented, so a
 * Kore.ai error (4xx in its shape) goes on to the confirm check like a success: only v2 decides.
 */
export function classifyRecordingDelete(res: UpstreamResponse, t: KoreaiTimings, now: Date): Outcome {
  const common = classifyCommon(res, t, now);
  if (common !== null) return common;
  const recognised = isSuccess(res.status) ? res.json !== undefined && typeof res.json === 'object' : res.status >= 400 && res.status < 500 && isKoreaiError(res);
  if (!recognised) return isSuccess(res.status) ? unrecognisedAnswer(res, 'not_json', 'recording delete answer') : classifyOtherError(res, 'recording delete');
  const upstreamRef: JsonObject = { deleteStatus: res.status, deletedAt: now.toISOString(), confirmChecks: 0 };
  return { kind: 'continue', phase: 'confirm', afterMs: isSuccess(res.status) ? t.recordingConfirmDelayMs : 0, upstreamRef };
}

/** Phase `confirm`: GET v2 again; only `media_unavailable` proves the deletion. */
export function classifyRecordingConfirm(res: UpstreamResponse, t: KoreaiTimings, now: Date, ctx: RecordingContext = { ref: null, freshStart: false }): Outcome {
  const answer = v2Answer(res, t, now, 'confirm');
  if ('outcome' in answer) return answer.outcome;
  switch (answer.status) {
    case 'media_unavailable':
      return { kind: 'succeeded', upstreamRef: { recordingStatus: answer.status, confirmedAt: now.toISOString() } };
    case 'call_in_progress':
    case 'media_in_progress':
      // Deleted while the call went on (or refused for it): wait, then start from the check again.
      return inProgress(res, answer.status, t, now, ctx);
    case 'success': {
      const checks = (typeof ctx.ref?.confirmChecks === 'number' ? ctx.ref.confirmChecks : 0) + 1;
      if (checks < RECORDING_CONFIRM_CHECKS) {
        // A deletion takes a while to show: look again before deleting again.
        return { kind: 'recheck', afterMs: t.recordingConfirmDelayMs * 2 ** checks, reason: 'recording_still_listed', phase: 'confirm', upstreamRef: { recordingStatus: answer.status, confirmChecks: checks } };
      }
      return {
        kind: 'retry',
        phase: 'delete',
        error: { kind: 'answer', status: res.status, code: 'still_present', message: `recording still present after delete and ${checks} checks` },
        upstreamRef: { recordingStatus: answer.status, confirmChecks: checks },
      };
    }
    default:
      return unknownStatus(res, answer.status);
  }
}
