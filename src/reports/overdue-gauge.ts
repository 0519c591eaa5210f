// gateway_erasure_requests_overdue: requests past their due date and not completed or cancelled, by
// regulation. Counted in the database at scrape time, so every replica reports the same number.
import { sql, type Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import { CLOSED_STATUSES } from '../domain/deadlines.ts';
import { REGULATIONS, REQUEST_STATUSES } from '../domain/types.ts';

// Spelled as the open statuses so the partial index erasure_request_open_due serves the count.
const OPEN_STATUSES = REQUEST_STATUSES.filter((s) => !CLOSED_STATUSES.includes(s));

export async function countOverdueRequests(db: Kysely<DB>, now: Date): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('erasure_request')
    .select(['regulation', sql<number>`count(*)`.as('n')])
    .where('status', 'in', OPEN_STATUSES)
    .where('due_at', '<', now)
    .groupBy('regulation')
    .execute();
  return new Map(rows.map((r) => [r.regulation, Number(r.n)]));
}

export function registerOverdueRequestsGauge(registry: Registry, db: Kysely<DB>, clock: Clock): Gauge<'regulation'> {
  return new Gauge({
    name: 'gateway_erasure_requests_overdue',
    help: 'Erasure requests past their due date that are neither completed nor cancelled',
    labelNames: ['regulation'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await countOverdueRequests(db, clock.now());
        for (const regulation of REGULATIONS) this.set({ regulation }, counts.get(regulation) ?? 0);
      } catch {
        // Database unreachable during a scrape: keep the last values; /readyz reports the outage.
      }
    },
  });
}
