// Part of a settlement: the erasure tasks a discovery page found join the discovery's request, in the
// transaction that settles the page, so the cursor and what it found are written together. Each is added
// once: not when the request already holds a task with its key (a page fetched twice, two discoveries
// finding the same session) or the same type and locator (an id the caller also listed), and never to a
// cancelled request. The caller holds the requests' row locks, so their seq numbers cannot collide.
import { sql, type Kysely } from 'kysely';
import type { FoundTask } from '../../domain/discovery.ts';
import type { DB } from '../schema.ts';

export type FoundTasksOf = { discoveryTaskId: string; tasks: readonly FoundTask[] };

export type AddedTasks = {
  /** Found on the page. */
  offered: number;
  /** Added to the request (the others it held already, or it is cancelled). */
  added: number;
  /** Added, per task type. */
  byType: Record<string, number>;
};

export async function addFoundTasks(trx: Kysely<DB>, found: readonly FoundTasksOf[], newTaskId: () => string, now: Date): Promise<Map<string, AddedTasks>> {
  const out = new Map<string, AddedTasks>();
  // `ord`: the order found (settlements, then each page's order), kept in the seq numbers; the first finder of a key wins.
  const rows = found.flatMap((f) => {
    out.set(f.discoveryTaskId, { offered: f.tasks.length, added: 0, byType: {} });
    return f.tasks.map((t) => ({ id: newTaskId(), discovery: f.discoveryTaskId, type: t.type, locator: t.locator, key: t.key }));
  }).map((row, ord) => ({ ...row, ord }));
  if (rows.length === 0) return out;
  const { rows: inserted } = await sql<{ discovered_by: string; type: string; request_id: string }>`
    with v as (
      select distinct on (d.request_id, v.key) v.id, v.discovery, v.ord, v.type, v.locator, v.key, d.request_id, d.target_index, d.connection
      from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id uuid, discovery uuid, ord int, type text, locator jsonb, key text)
      join task d on d.id = v.discovery
      join erasure_request r on r.id = d.request_id and r.cancelled_at is null
      where not exists (
        select 1 from task e
        where e.request_id = d.request_id and (e.locator_key = v.key or (e.type = v.type and e.locator = v.locator))
      )
      order by d.request_id, v.key, v.ord
    ), numbered as (
      select v.*, (select coalesce(max(seq), 0) from task where request_id = v.request_id)
                  + row_number() over (partition by v.request_id order by v.ord) as seq
      from v
    )
    insert into task (id, request_id, seq, type, target_index, connection, locator, state, phase, attempts,
                      next_attempt_at, created_at, updated_at, locator_key, discovered_by)
    select n.id, n.request_id, n.seq, n.type, n.target_index, n.connection, n.locator, 'pending', 'start', 0,
           ${now}, ${now}, ${now}, n.key, n.discovery
    from numbered n
    on conflict (request_id, locator_key) where locator_key is not null do nothing
    returning discovered_by, type, request_id`.execute(trx);
  const perRequest = new Map<string, number>();
  for (const r of inserted) {
    const entry = out.get(r.discovered_by)!;
    entry.added += 1;
    entry.byType[r.type] = (entry.byType[r.type] ?? 0) + 1;
    perRequest.set(r.request_id, (perRequest.get(r.request_id) ?? 0) + 1);
  }
  if (perRequest.size > 0) {
    await sql`
      update erasure_request r set task_count = r.task_count + v.n
      from unnest(${[...perRequest.keys()]}::uuid[], ${[...perRequest.values()]}::int[]) as v(id, n)
      where r.id = v.id`.execute(trx);
  }
  return out;
}
