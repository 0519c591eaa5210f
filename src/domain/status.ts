// Request status is derived from its tasks (docs/DESIGN.md, "States"); this is the one place that says how.
import type { RequestStatus, TaskState } from './types.ts';

export type StateCounts = Partial<Record<TaskState, number>>;

export type StatusInputs = {
  /** Erasure tasks per state (callback tasks report the status, they do not make it). */
  counts: StateCounts;
  /** Whether any erasure task has been attempted (a retry waiting in `pending` has started). */
  anyAttempted: boolean;
  /** A cancelled request stays cancelled. */
  cancelled: boolean;
};

export function deriveRequestStatus({ counts, anyAttempted, cancelled }: StatusInputs): RequestStatus {
  if (cancelled) return 'cancelled';
  const n = (s: TaskState) => counts[s] ?? 0;
  const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  if (total === 0) return 'pending';
  if (!allTasksFinal(counts)) return anyAttempted || n('pending') < total ? 'in_progress' : 'pending';
  if (n('failed') > 0 || n('cancelled') > 0) return 'failed';
  // Skipped by an operator: closed, but not erased; each skip carries its reason.
  if (n('skipped') > 0) return 'completed_with_exceptions';
  return 'completed';
}

/** Whether every erasure task is final (the moment `completedAt` is set and callbacks go out). */
export function allTasksFinal(counts: StateCounts): boolean {
  return (counts.pending ?? 0) + (counts.running ?? 0) + (counts.waiting ?? 0) === 0;
}
