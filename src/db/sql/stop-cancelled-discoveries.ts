// Part of a settlement: a discovery whose request was cancelled while one of its pages was being read
// stops there (cancelled, nothing it found added: see add-found-tasks.ts) instead of reading the next page.
import { sql, type Kysely } from 'kysely';
import type { DB } from '../schema.ts';

/** Returns the discoveries stopped. The caller holds the requests' row locks. */
export async function stopCancelledDiscoveries(trx: Kysely<DB>, discoveryTaskIds: readonly string[], now: Date): Promise<Array<{ id: string; request_id: string; phase: string }>> {
  if (discoveryTaskIds.length === 0) return [];
  const { rows } = await sql<{ id: string; request_id: string; phase: string }>`
    update task t set state = 'cancelled', finished_at = ${now}, updated_at = ${now}
    from erasure_request r
    where t.id = any(${[...discoveryTaskIds]}::uuid[]) and r.id = t.request_id and r.cancelled_at is not null
      and t.state in ('pending', 'waiting')
    returning t.id, t.request_id, t.phase`.execute(trx);
  return rows;
}
