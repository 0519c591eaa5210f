// What the console's overview shows: requests by status, what is overdue, due soon or stalled, failed tasks by
// connection, requests received and finished per day, and how long each connection takes to erase.
// Read through named queries (db/overview.ts), each on an index, within what the caller may read: a
// tenant's key counts its tenant's requests only, an allTenants key every tenant's.
import type { Kysely } from 'kysely';
import { countOverdueRequests } from '../db/requests.ts';
import {
  countFailedTasksByConnection,
  countOpenRequestsDueBetween,
  countRequestsByStatus,
  countRequestsCreatedPerDay,
  countRequestsFinishedPerDay,
  countRequestsWithStalledTasks,
  medianErasureSecondsByConnection,
  type ConnectionDuration,
} from '../db/overview.ts';
import type { DB } from '../db/schema.ts';
import { readScopeOf, type Caller } from '../domain/caller.ts';
import { REQUEST_STATUSES, type RequestStatus } from '../domain/types.ts';

export const OVERVIEW_DAYS = 90;
export const DUE_SOON_DAYS = 7;

const DAY_MS = 86_400_000;

export type DailyActivity = { day: string; received: number; finished: number };

export type Overview = {
  asOf: string;
  byStatus: Record<RequestStatus, number>;
  total: number;
  overdue: number;
  /** Open requests due within DUE_SOON_DAYS (not yet overdue). */
  dueSoon: number;
  /** Requests with a task open past its expected wait (the list's `stalled=true`). */
  stalled: number;
  failedTasksByConnection: Array<{ connection: string | null; count: number }>;
  /** One entry per UTC day, oldest first, the last being today. */
  daily: DailyActivity[];
  medianByConnection: ConnectionDuration[];
};

function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export async function readOverview(db: Kysely<DB>, now: Date, caller: Caller): Promise<Overview> {
  const scope = readScopeOf(caller);
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = new Date(today - (OVERVIEW_DAYS - 1) * DAY_MS);
  const [statuses, overdue, dueSoon, stalled, failed, received, finished, medians] = await Promise.all([
    countRequestsByStatus(db, scope),
    countOverdueRequests(db, now, scope),
    countOpenRequestsDueBetween(db, scope, now, new Date(now.getTime() + DUE_SOON_DAYS * DAY_MS)),
    countRequestsWithStalledTasks(db, scope),
    countFailedTasksByConnection(db, scope),
    countRequestsCreatedPerDay(db, scope, since),
    countRequestsFinishedPerDay(db, scope, since),
    medianErasureSecondsByConnection(db, scope, since),
  ]);
  const byStatus = Object.fromEntries(REQUEST_STATUSES.map((s) => [s, statuses.get(s) ?? 0])) as Record<RequestStatus, number>;
  const receivedOn = new Map(received.map((r) => [r.day, r.count]));
  const finishedOn = new Map(finished.map((r) => [r.day, r.count]));
  const daily: DailyActivity[] = [];
  for (let i = 0; i < OVERVIEW_DAYS; i++) {
    const day = utcDay(new Date(since.getTime() + i * DAY_MS));
    daily.push({ day, received: receivedOn.get(day) ?? 0, finished: finishedOn.get(day) ?? 0 });
  }
  return {
    asOf: now.toISOString(),
    byStatus,
    total: [...statuses.values()].reduce((a, b) => a + b, 0),
    overdue: [...overdue.values()].reduce((a, b) => a + b, 0),
    dueSoon,
    stalled,
    failedTasksByConnection: failed,
    daily,
    medianByConnection: medians,
  };
}
