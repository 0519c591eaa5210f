// The database operations the worker's parts are given (graphile-worker style): the parts import no
// SQL, so each can be read and tested with the operations it uses; worker.ts binds them to a database.
import type { Kysely } from 'kysely';
import { claimDueTasks, type ClaimDueTasksInput } from '../db/sql/claim-due-tasks.ts';
import { claimPacedTasks, type ClaimPacedTasksInput, type PacedClaim } from '../db/sql/claim-paced-tasks.ts';
import { deleteOldPermits } from '../db/sql/delete-old-permits.ts';
import { failAbandonedTasks, type AbandonedTask, type FailAbandonedTasksInput } from '../db/sql/fail-abandoned-tasks.ts';
import { finishPermits } from '../db/sql/finish-permits.ts';
import { releaseHeldTasks } from '../db/sql/release-held-tasks.ts';
import { returnExpiredLeases, type ReturnedTask, type ReturnExpiredLeasesInput } from '../db/sql/return-expired-leases.ts';
import { settleTasks, type SettleResult, type SettleTasksInput } from '../db/sql/settle-tasks.ts';
import { clearStalledTasks, listWatchedTasks, markStalledTasks, type ListWatchedTasksInput, type MarkedTask, type StalledMark, type WatchedTaskRow } from '../db/sql/watch-tasks.ts';
import type { DB } from '../db/schema.ts';
import type { ClaimedTask } from '../domain/task-execution.ts';

export type ClaimQueries = {
  claimDueTasks(input: ClaimDueTasksInput): Promise<ClaimedTask[]>;
  claimPacedTasks(input: ClaimPacedTasksInput): Promise<PacedClaim>;
};

export type SettleQueries = {
  /** Closes permits right after their calls answered (ahead of the settlement). */
  finishPermits(permits: ReadonlyArray<{ id: number; finishedAgoMs: number }>): Promise<void>;
  settleTasks(input: SettleTasksInput): Promise<SettleResult>;
};

export type SweepQueries = {
  returnExpiredLeases(input: ReturnExpiredLeasesInput): Promise<ReturnedTask[]>;
  deleteOldPermits(input: { olderThanSeconds: number; limit: number }): Promise<number>;
};

export type AbandonedTaskQueries = {
  failAbandonedTasks(input: FailAbandonedTasksInput): Promise<AbandonedTask[]>;
};

export type WatchdogQueries = {
  listWatchedTasks(input: ListWatchedTasksInput): Promise<WatchedTaskRow[]>;
  markStalledTasks(marks: readonly StalledMark[]): Promise<MarkedTask[]>;
  clearStalledTasks(tasks: ReadonlyArray<{ id: string; updatedAt: Date }>): Promise<number>;
};

export type WorkerQueries = ClaimQueries &
  SettleQueries &
  SweepQueries &
  AbandonedTaskQueries &
  WatchdogQueries & {
    /** At shutdown: hand every task this worker still holds back. */
    releaseHeldTasks(input: { owner: string; actor: string; now: Date }): Promise<number>;
  };

export function workerQueries(db: Kysely<DB>): WorkerQueries {
  return {
    claimDueTasks: (input) => claimDueTasks(db, input),
    claimPacedTasks: (input) => claimPacedTasks(db, input),
    finishPermits: (permits) => finishPermits(db, permits),
    settleTasks: (input) => settleTasks(db, input),
    returnExpiredLeases: (input) => returnExpiredLeases(db, input),
    deleteOldPermits: (input) => deleteOldPermits(db, input),
    releaseHeldTasks: (input) => releaseHeldTasks(db, input),
    failAbandonedTasks: (input) => failAbandonedTasks(db, input),
    listWatchedTasks: (input) => listWatchedTasks(db, input),
    markStalledTasks: (marks) => markStalledTasks(db, marks),
    clearStalledTasks: (tasks) => clearStalledTasks(db, tasks),
  };
}
