// The per-tenant open-task quota at intake (domain/open-task-quota.ts), kept cheap: each process holds,
// per tenant, the count it last read from the database (countUnfinishedTasks, an index-only sum) plus
// what it has accepted or is accepting since. A submit is checked against that; the count is read again
// when it is older than COUNT_MAX_AGE_MS, and once more before a submit is refused (tasks may have
// finished since), so a refusal is always based on a fresh count.
//
// How exact: within one process, exact — every submit it accepts is added before the next is checked.
// Across replicas, each sees the others' submits only at its next read, so a tenant can go over by what
// the other replicas accept within COUNT_MAX_AGE_MS. It never counts low otherwise: a request counts
// whole until it is final.
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import { countUnfinishedTasks } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { withinOpenTaskQuota } from '../domain/open-task-quota.ts';

export const COUNT_MAX_AGE_MS = 1_000;

/** Tasks held for a submit in progress: commit() once it is written, release() if it is not. */
export type QuotaReservation = { commit(): void; release(): void };

export type QuotaCheck = { ok: true; reservation: QuotaReservation } | { ok: false; open: number };

export type OpenTaskQuota = {
  /** Holds `tasks` for `tenant` when its open tasks plus them stay within `max`. */
  reserve(tenant: string, tasks: number, max: number): Promise<QuotaCheck>;
};

type TenantCount = {
  /** Open tasks as last read from the database, and when (ms since the epoch; null: never read). */
  counted: number;
  countedAt: number | null;
  /** Accepted by this process since that read began. */
  since: number;
  /** Held by submits of this process not yet written. */
  inFlight: number;
  reading: Promise<void> | null;
};

export function createOpenTaskQuota(db: Kysely<DB>, clock: Clock): OpenTaskQuota {
  const tenants = new Map<string, TenantCount>();

  const read = (tenant: string, c: TenantCount): Promise<void> => {
    // Concurrent submits of one tenant share one read.
    if (c.reading !== null) return c.reading;
    const acceptedBefore = c.since;
    c.reading = countUnfinishedTasks(db, tenant)
      .then((n) => {
        c.counted = n;
        c.countedAt = clock.now().getTime();
        // Written before the read began, so in `n`. Those written during it may be counted twice until
        // the next read: an over-count, never an under-count.
        c.since -= acceptedBefore;
      })
      .finally(() => {
        c.reading = null;
      });
    return c.reading;
  };

  return {
    async reserve(tenant, tasks, max) {
      const c = tenants.get(tenant) ?? { counted: 0, countedAt: null, since: 0, inFlight: 0, reading: null };
      tenants.set(tenant, c);
      const open = () => c.counted + c.since + c.inFlight;
      let fresh = false;
      if (c.countedAt === null || clock.now().getTime() - c.countedAt >= COUNT_MAX_AGE_MS) {
        await read(tenant, c);
        fresh = true;
      }
      if (!withinOpenTaskQuota(open(), tasks, max) && !fresh) await read(tenant, c);
      if (!withinOpenTaskQuota(open(), tasks, max)) return { ok: false, open: open() };
      // No await between the check and this: the next submit of this process sees these tasks.
      c.inFlight += tasks;
      let settled = false;
      return {
        ok: true,
        reservation: {
          commit() {
            if (settled) return;
            settled = true;
            c.inFlight -= tasks;
            c.since += tasks;
          },
          release() {
            if (settled) return;
            settled = true;
            c.inFlight -= tasks;
          },
        },
      };
    },
  };
}
