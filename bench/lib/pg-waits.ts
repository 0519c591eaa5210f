// Samples what the Postgres backends of one database are doing (pg_stat_activity) while a load runs:
// on CPU, or waiting — and on what (a lock, the WAL flush, the client). Evidence for where time goes.
import pg from 'pg';
import { ADMIN_URL } from './env.ts';
import { table } from './report.ts';

export type WaitSamples = {
  samples: number;
  active: number;
  byWait: Record<string, number>;
  /** Heavyweight locks waited for (pg_locks, not granted): what they are, by sample count. */
  lockWaits: Record<string, number>;
};

export function sampleWaits(database: string, everyMs = 20): { stop(): Promise<WaitSamples> } {
  const client = new pg.Client({ connectionString: ADMIN_URL, application_name: 'erasure-gateway-bench-sampler' });
  const result: WaitSamples = { samples: 0, active: 0, byWait: {}, lockWaits: {} };
  let stopped = false;
  const loop = (async () => {
    await client.connect();
    while (!stopped) {
      const { rows } = await client.query<{ w: string | null; q: string }>(
        `select case when wait_event is null then 'CPU (running)' else wait_event_type || ': ' || wait_event end as w, left(query, 60) as q
         from pg_stat_activity where datname = $1 and state = 'active' and backend_type = 'client backend'`,
        [database],
      );
      result.samples += 1;
      if (rows.some((r) => r.w?.startsWith('Lock:'))) {
        const locks = await client.query<{ what: string; n: number }>(
          `select l.locktype || coalesce(' ' || l.classid::regclass::text, '') || coalesce(' objid=' || l.objid, '') || ' ' || l.mode as what, count(*)::int as n
           from pg_locks l join pg_stat_activity a on a.pid = l.pid
           where not l.granted and a.datname = $1 group by 1`,
          [database],
        );
        for (const l of locks.rows) result.lockWaits[l.what] = (result.lockWaits[l.what] ?? 0) + l.n;
      }
      for (const r of rows) {
        result.active += 1;
        const key = r.w ?? 'unknown';
        result.byWait[key] = (result.byWait[key] ?? 0) + 1;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
    await client.end();
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return result;
    },
  };
}

/** The samples as a table: what an active backend was doing, as a share of active samples. */
export function waitTable(w: WaitSamples, top = 8): string {
  const entries = Object.entries(w.byWait).sort((a, b) => b[1] - a[1]).slice(0, top);
  const locks = Object.entries(w.lockWaits).sort((a, b) => b[1] - a[1]);
  const lockNote =
    locks.length === 0 ? '' : `\n\nLocks waited for (pg_locks, not granted; backend-samples): ${locks.map(([k, n]) => `\`${k}\` ×${n}`).join(', ')}.`;
  return table(
    ['backend state (sampled)', 'share of active samples', 'mean backends in it'],
    entries.map(([k, n]) => [k, `${((n / Math.max(1, w.active)) * 100).toFixed(1)} %`, (n / Math.max(1, w.samples)).toFixed(2)]),
  ) + lockNote;
}
