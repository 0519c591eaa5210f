// The erasure request as callers submit it and as the API shows it back: the shapes the services take
// and return. The HTTP layer's zod schemas (http/schemas/) describe exactly these types and are checked
// against them at compile time, so use cases never depend on the transport.
import type { TaskBlock } from './connection-check.ts';
import type { JsonObject } from './json.ts';
import type { SubjectIdentities } from './subject.ts';
import type { Target } from './targets.ts';
import type { Regulation, RequestStatus, TargetType, TaskState, TaskType } from './types.ts';

/** The body of a submit, as validated. */
export type ErasureRequestInput = {
  /** The caller's own reference (ticket id). */
  externalRef?: string | undefined;
  regulation: Regulation;
  subject?: SubjectIdentities | undefined;
  targets: Target[];
  callbackUrl?: string | undefined;
  /** ISO 8601 date-time; default from the regulation. */
  dueAt?: string | undefined;
};

/** Number of erasure tasks in each state. */
export type Progress = Record<TaskState, number>;

export function emptyProgress(): Progress {
  return { pending: 0, running: 0, waiting: 0, succeeded: 0, not_found: 0, failed: 0, cancelled: 0, skipped: 0 };
}

/**
 * How an operator closed a task (erasure:operate), stored on the task (`task.resolution`):
 * - `manual`: the vendor confirmed the deletion some other way (a ticket, an e-mail); the task is
 *   `succeeded`, attested by the operator (`by`), not by the vendor's API;
 * - `skipped`: closed with a reason, not erased; the task is `skipped`.
 * `reason` and `reference` are the operator's statement (never the person's data, by contract) and stay;
 * `note` is free text about the correspondence: shown on the task only, and purged (null) with the
 * request's personal data.
 */
export type TaskResolution =
  | { kind: 'manual'; by: string; reference: string; note: string | null; at: string }
  | { kind: 'skipped'; by: string; reason: string; at: string };

/** The callback event that tells the caller a deadline was extended (its delivery's locator names it). */
export const EXTENSION_EVENT = 'request.extended';

/** The one legal extension of a request's deadline (POST …/extend). */
export type RequestExtension = {
  /** The due date before the extension. */
  previousDueAt: string;
  reason: string;
  /** `api-key:<name>` */
  by: string;
  at: string;
};

export type TargetSummary = {
  /** Position of the target in the submitted `targets`. */
  index: number;
  type: TargetType;
  connection: string;
  /** Tasks this target expanded to. */
  tasks: number;
  progress: Progress;
};

export type ErasureRequestResource = {
  id: string;
  /** The tenant it belongs to: the tenant of the API key that submitted it. */
  tenant: string;
  externalRef: string | null;
  regulation: Regulation;
  status: RequestStatus;
  progress: Progress;
  targets: TargetSummary[];
  /** Whether subject identities were given (they are never returned). */
  subjectProvided: boolean;
  /** Masked (`https://host/path?…`); null when there is none, or for a caller of another tenant. */
  callbackUrl: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  cancelledAt: string | null;
  dueAt: string;
  overdue: boolean;
  /** The deadline's one extension, if it was extended. */
  extension: RequestExtension | null;
  /** Open erasure tasks the watchdog found past their expected wait. */
  stalledTasks: number;
};

export type ErasureRequestPage = { data: ErasureRequestResource[]; nextCursor: string | null };

export type TaskResource = {
  id: string;
  seq: number;
  type: TaskType;
  targetIndex: number | null;
  connection: string | null;
  locator: JsonObject;
  state: TaskState;
  phase: string;
  attempts: number;
  nextAttemptAt: string;
  lastError: JsonObject | null;
  upstreamRef: JsonObject | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
  /** Why an open task is not being sent (its connection's last check failed); null otherwise. */
  blocked: TaskBlock | null;
  /** Closed by an operator (skipped, or resolved by hand); null otherwise. */
  resolution: TaskResolution | null;
  /** Open past its expected wait (domain/watchdog.ts); a held connection (`blocked`) is one reason. */
  stalled: boolean;
  stalledSince: string | null;
};

export type TaskPage = { data: TaskResource[]; nextCursor: string | null };

/** Which failed tasks a bulk re-drive (POST /v1/tasks/retry) takes, within the caller's tenant. */
export type BulkRetryFilter = {
  connection?: string | undefined;
  /** `last_error.kind`: e.g. `http`, `transport`, `gateway`, `unrecognised_answer`. */
  errorKind?: string | undefined;
  /** Failed at or after (the task's finishedAt). */
  failedAfter?: Date | undefined;
  /** Failed before. */
  failedBefore?: Date | undefined;
  /** Only these requests (at most 1,000). */
  requestIds?: readonly string[] | undefined;
};
