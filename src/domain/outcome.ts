// What an upstream answer means for a task. Each vendor's classify.ts maps answers to one of these;
// the worker turns an outcome into the task's next state (worker/plan-settlement.ts). Nothing here
// holds a raw body, a secret or a subject identifier.
import type { FoundTask } from './discovery.ts';
import type { JsonObject } from './json.ts';

/**
 * Why a task did not (yet) succeed, as an auditor reads it:
 * - `http`: the upstream answered with a recognised error; `transport`: no usable answer (timeout, reset…);
 * - `unrecognised_answer`: an answer the gateway does not recognise (not JSON, not the vendor's shape, a body
 *   that contradicts the request) — never a verdict of erasure (docs/verdicts.md);
 * - `incomplete_job`: a vendor job whose counts do not account for every id sent as deleted;
 * - `still_in_progress`: a wait for the vendor (live call, media being generated) that ran past its bound;
 * - `connection_removed`: the task's connection is no longer configured;
 * - `answer`: an answer of the vendor's shape that says the work cannot be done as asked;
 * - `gateway`: our own limits and failures (age limit, lease expired, no executor…).
 */
export const ERROR_KINDS = ['http', 'transport', 'unrecognised_answer', 'incomplete_job', 'still_in_progress', 'connection_removed', 'answer', 'gateway'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** A short, safe description of why a call did not work, kept on the task as `last_error`. */
export type ErrorSummary = {
  kind: ErrorKind;
  /** HTTP status of the answer, when there was one. */
  status?: number;
  /** A machine code: the upstream's error code, or ours (e.g. `timeout`, `max_attempts`). */
  code?: string;
  /** The upstream's error message (or ours), truncated. Stored on the task only, never in events or logs. */
  message: string;
  /** Upstream correlation id, e.g. Cartesia's request_id. */
  requestId?: string;
};

/**
 * Outcomes of a discovery page may carry the erasure tasks found on it: the settlement adds them to the
 * request in its transaction (once per key), so the page and what it found are written together.
 */
export type Discoveries = { addTasks?: FoundTask[] };

export type Outcome =
  /** Deletion confirmed (or, for a discovery, the whole range searched and something found): final. */
  | ({ kind: 'succeeded'; upstreamRef: JsonObject } & Discoveries)
  /** Nothing to delete upstream: final, the answer kept as evidence. */
  | ({ kind: 'not_found'; upstreamRef: JsonObject } & Discoveries)
  /** The upstream accepted the work (e.g. a job id): check again after `afterMs` (state `waiting`). */
  | { kind: 'waiting'; afterMs: number; phase?: string; upstreamRef?: JsonObject }
  /**
   * The next step of a multi-step task: re-queued (state `pending`) after `afterMs` (default now). With
   * `freshAttempts` the step made progress that the next one builds on (a discovery's page read): the
   * failed attempts so far are forgiven, so a walk of hundreds of pages is not failed by a few transient
   * errors spread over it; each page still gets the full number of attempts.
   */
  | ({ kind: 'continue'; phase: string; afterMs?: number; upstreamRef?: JsonObject; freshAttempts?: boolean } & Discoveries)
  /** Not ready upstream yet (call or media in progress): try again later; not a failed attempt. */
  | { kind: 'recheck'; afterMs: number; reason: string; phase?: string; upstreamRef?: JsonObject }
  /** Transient failure: retried with backoff (never earlier than `retryAfterMs`); counts as an attempt. */
  | {
      kind: 'retry';
      error: ErrorSummary;
      retryAfterMs?: number;
      /** The upstream said "rate limited": the whole connection pauses this long (at least). */
      pauseConnectionMs?: number;
      /**
       * …and until the connection's window of this many seconds has room again, reckoned from the pacing
       * record on the database clock: the oldest call still counting in that window has left it.
       */
      pauseUntilWindowRoomSeconds?: number;
      /** The upstream refused to look at the request (a rate limit): retried without spending an attempt. */
      notAnAttempt?: boolean;
      phase?: string;
      /** Facts worth keeping even though the task goes on (e.g. a submit whose answer was lost). */
      upstreamRef?: JsonObject;
    }
  /** Permanent failure: final, with the upstream's answer summarised. */
  | { kind: 'failed'; error: ErrorSummary; upstreamRef?: JsonObject }
  /** Nothing to do any more, nothing was sent (a callback for a request that has since reopened): final, `cancelled`. */
  | { kind: 'cancelled'; code: string; message: string };

export type OutcomeKind = Outcome['kind'];

/** One upstream call, as recorded in the audit trail and metrics. */
export type UpstreamCall = {
  /** A stable name for metrics, e.g. `recording.check`, `call.delete`. */
  operation: string;
  method: string;
  /** The path template, never the concrete path: e.g. `/agents/calls/{call_id}`. */
  pathTemplate: string;
  /** HTTP status, or null when no answer came (timeout, connection error). */
  status: number | null;
  latencyMs: number;
  /** Transport failure code when there was no answer. */
  transportError?: string;
  /** Upstream references worth keeping: job id, request id, redacted_at… (no subject identifiers). */
  ref?: JsonObject;
};

const MESSAGE_MAX = 500;

export function truncateMessage(message: string, max = MESSAGE_MAX): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
