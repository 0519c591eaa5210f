// gateway_erasure_requests_overdue: requests past their due date and not completed or cancelled, by
// regulation. Counted in the database at scrape time, so every replica reports the same number.
import type { Kysely } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import { countOverdueRequests } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { ALL_TENANTS } from '../domain/caller.ts';
import { REGULATIONS } from '../domain/types.ts';

export function registerOverdueRequestsGauge(registry: Registry, db: Kysely<DB>, clock: Clock): Gauge<'regulation'> {
  return new Gauge({
    name: 'gateway_erasure_requests_overdue',
    help: 'Erasure requests past their due date that are neither completed nor cancelled',
    labelNames: ['regulation'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await countOverdueRequests(db, clock.now(), ALL_TENANTS);
        for (const regulation of REGULATIONS) this.set({ regulation }, counts.get(regulation) ?? 0);
      } catch {
        // Database unreachable during a scrape: keep the last values; /readyz reports the outage.
      }
    },
  });
}
