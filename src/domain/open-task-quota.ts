// The per-tenant open-task quota (tenants.<name>.maxOpenTasks): a submit that would take a tenant's open
// tasks over it is refused whole (429 quota-exceeded) and writes nothing. "Open" is counted per request:
// every task of a request that is not final yet counts, until the request is final — an upper bound of
// the tasks actually pending, running or waiting, which is what keeps the count cheap (one index over the
// unfinished requests, db/requests.ts countUnfinishedTasks).

export const DEFAULT_MAX_OPEN_TASKS = 200_000;

/** Whether adding `adding` tasks to `open` stays within `max`. */
export function withinOpenTaskQuota(open: number, adding: number, max: number): boolean {
  return open + adding <= max;
}
