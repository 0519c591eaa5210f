// The watchdog's rule: how long an open task may legitimately stay where it is, and from when it is
// stalled. Pure, so every case is unit-tested; the worker's watchdog pass (worker/watchdog.ts) applies it.
//
// Every open task waits for something the engine itself bounds, and the task is stalled once it is past
// the bound by more than a grace:
// - `claim`: a pending or waiting task is due at next_attempt_at (its backoff, its next poll, its next
//   re-check), or when its connection's rate-limit pause ends if later. Past that, nobody took it: no
//   worker runs, or its connection is held by its last check (a hold needs a person: it is flagged, and
//   the tasks view says why in `blocked`), or the claims are behind the connection's pace.
// - `lease`: a running task's lease ends at lease_expires_at; past it, no sweeper returned it.
// - the vendor's own waits, bounded per connection (docs/DESIGN.md, "Driving the work"): a Kore.ai
//   deletion job (`koreai_job`) up to jobMaxAgeHours after its submittedAt, a recording in progress
//   (`recording_in_progress`) up to recordingMaxWaitHours, a Cartesia call still active (`active_call`)
//   up to activeCallMaxWaitHours, each from when the wait began. The engine fails the task at the bound,
//   at its next check; a task still open past bound + grace is one whose checks keep failing or stopped.
// A wait that began before the task's last re-drive does not count (the re-driven task starts over).
import { readWaitState } from './bounded-wait.ts';
import type { JsonObject } from './json.ts';
import type { TaskState, TaskType } from './types.ts';

export const WAIT_KINDS = ['claim', 'lease', 'koreai_job', 'recording_in_progress', 'active_call'] as const;
export type WaitKind = (typeof WAIT_KINDS)[number];

/** The vendor waits' bounds for one connection (its own settings, or the watchdog's overrides). */
export type VendorWaitBounds = { koreaiJobMs: number; recordingInProgressMs: number; activeCallMs: number };

export type WatchdogPolicy = {
  graceMs: number;
  /** The bounds of a connection's vendor waits; undefined for a connection not configured here. */
  boundsOf(connection: string): VendorWaitBounds | undefined;
};

/** What the rule reads of a task. */
export type WatchedTask = {
  type: TaskType;
  state: TaskState;
  phase: string;
  connection: string | null;
  nextAttemptAt: Date;
  leaseExpiresAt: Date | null;
  upstreamRef: JsonObject | null;
  createdAt: Date;
  redrivenAt: Date | null;
  /** When the connection's rate-limit pause ends, if one is in force. */
  connectionPausedUntil: Date | null;
};

/** One thing an open task is waiting for: it may wait `ms` from `since` (grace included). */
export type ExpectedWait = { kind: WaitKind; since: Date; ms: number };

const RECORDING_IN_PROGRESS = new Set(['call_in_progress', 'media_in_progress']);

function instant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** The vendor wait the task is in, with its bound, when it is in one in its present run. */
function vendorWait(task: WatchedTask, bounds: VendorWaitBounds): { kind: WaitKind; since: Date; boundMs: number } | undefined {
  const ref = task.upstreamRef;
  if (ref === null) return undefined;
  let wait: { kind: WaitKind; since: Date; boundMs: number } | undefined;
  if ((task.type === 'koreai.conversations' || task.type === 'koreai.channel_user') && task.phase === 'poll') {
    const since = instant(ref.submittedAt);
    if (since !== undefined && typeof ref.jobId === 'string') wait = { kind: 'koreai_job', since, boundMs: bounds.koreaiJobMs };
  } else if (task.type === 'koreai.recording' && task.phase === 'check' && typeof ref.recordingStatus === 'string' && RECORDING_IN_PROGRESS.has(ref.recordingStatus)) {
    const state = readWaitState(ref.wait);
    if (state !== undefined) wait = { kind: 'recording_in_progress', since: new Date(state.since), boundMs: bounds.recordingInProgressMs };
  } else if (task.type === 'cartesia.call' && task.phase === 'await_end') {
    const state = readWaitState(ref.activeCallWait);
    if (state !== undefined) wait = { kind: 'active_call', since: new Date(state.since), boundMs: bounds.activeCallMs };
  }
  if (wait === undefined || (task.redrivenAt !== null && wait.since.getTime() < task.redrivenAt.getTime())) return undefined;
  return wait;
}

/** Everything an open task is waiting for, each with how long it may (bound + grace); none for a final task. */
export function expectedWaitsOf(task: WatchedTask, policy: WatchdogPolicy): ExpectedWait[] {
  const waits: ExpectedWait[] = [];
  const grace = policy.graceMs;
  if (task.state === 'pending' || task.state === 'waiting') {
    const paused = task.connectionPausedUntil;
    const due = paused !== null && paused.getTime() > task.nextAttemptAt.getTime() ? paused : task.nextAttemptAt;
    waits.push({ kind: 'claim', since: due, ms: grace });
  } else if (task.state === 'running') {
    if (task.leaseExpiresAt !== null) waits.push({ kind: 'lease', since: task.leaseExpiresAt, ms: grace });
  } else {
    return waits;
  }
  const bounds = task.connection === null ? undefined : policy.boundsOf(task.connection);
  const vendor = bounds === undefined ? undefined : vendorWait(task, bounds);
  if (vendor !== undefined) waits.push({ kind: vendor.kind, since: vendor.since, ms: vendor.boundMs + grace });
  return waits;
}

export type Stall = { since: Date; kind: WaitKind; /** When the wait it overran began. */ waitingSince: Date };

/**
 * When the task became stalled — the earliest end of an expected wait that is over by `now` — or null
 * while every wait it is in is within its bound (or it is final).
 */
export function stalledSince(task: WatchedTask, policy: WatchdogPolicy, now: Date): Stall | null {
  let stall: Stall | null = null;
  for (const w of expectedWaitsOf(task, policy)) {
    const end = w.since.getTime() + w.ms;
    if (end >= now.getTime()) continue;
    if (stall === null || end < stall.since.getTime()) stall = { since: new Date(end), kind: w.kind, waitingSince: w.since };
  }
  return stall;
}

/**
 * The shortest vendor bound of any connection: a task created (or re-driven) more recently than
 * that plus the grace cannot be past one, so the pass reads only older tasks for them.
 */
export function shortestVendorBoundMs(bounds: readonly VendorWaitBounds[]): number {
  return Math.min(...bounds.flatMap((b) => [b.koreaiJobMs, b.recordingInProgressMs, b.activeCallMs]));
}
