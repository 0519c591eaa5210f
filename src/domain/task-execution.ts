// The contract between the worker and the code that talks to an upstream for one task type.
// An executor makes AT MOST ONE upstream call per execution (one pacing permit each) and says what the
// answer means; the worker owns the database: it turns the outcome into the task's next state, records
// the events and releases the permit. Multi-step tasks return `continue` with their next phase.
import type { FoundTask } from './discovery.ts';
import type { NewEvent } from './new-event.ts';
import type { JsonObject } from './json.ts';
import type { TaskState, TaskType } from './types.ts';
import type { Outcome, UpstreamCall } from './outcome.ts';

/** A task as claimed by this worker (state is `running`; `claimedFrom` is where it came from). */
export type ClaimedTask = {
  id: string;
  requestId: string;
  type: TaskType;
  connection: string | null;
  locator: JsonObject;
  phase: string;
  claimedFrom: TaskState;
  attempts: number;
  upstreamRef: JsonObject | null;
  createdAt: Date;
  firstSentAt: Date | null;
  leaseExpiresAt: Date;
};

export type ExecutionContext = {
  task: ClaimedTask;
  /** Aborted when the worker stops forcefully; pass it to the upstream call. */
  signal: AbortSignal;
  now(): Date;
  /** A fresh unique id (JWT jti…). */
  uuid(): string;
};

export type ExecutionResult = {
  outcome: Outcome;
  /** The upstream call made, if one was (none when the executor decided without calling). */
  call?: UpstreamCall;
};

/** What a settlement decides for one executed task: the plan the worker writes (worker/plan-settlement.ts). */
export type TaskUpdatePlan = {
  state: TaskState;
  phase: string;
  attempts: number;
  nextAttemptAt: Date;
  upstreamRef: JsonObject | null;
  lastError: JsonObject | null;
  finishedAt: Date | null;
  /** Set when this execution sent something upstream (the task can no longer be cancelled). */
  sentAt: Date | null;
  /** Whether the execution was a failed attempt (for metrics and the event). */
  failedAttempt: boolean;
  /** Pause the whole connection this long (the upstream said "rate limited"). */
  pauseConnectionMs?: number;
  /** Erasure tasks a discovery found on this page: added to the request in the settlement's transaction. */
  addTasks?: FoundTask[];
  /** …and until its window of this many seconds has room again (see Outcome `retry`). */
  pauseUntilWindowRoomSeconds?: number;
};

export type SettlementEventInput = {
  task: ClaimedTask;
  plan: TaskUpdatePlan;
  result: ExecutionResult;
  actor: string;
  now: Date;
};

export type TaskExecutor = {
  execute(ctx: ExecutionContext): Promise<ExecutionResult>;
  /** The audit events of a settlement, when this task type records more than the worker's usual ones. */
  settlementEvents?(input: SettlementEventInput): NewEvent[];
};

/**
 * Executors by task type. A type without an executor is never claimed by this worker (so the
 * `callback` executor can be added later without touching the worker).
 */
export type Executors = Partial<Record<TaskType, TaskExecutor>>;
