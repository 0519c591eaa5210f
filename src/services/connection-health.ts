// The console overview's connection health: each configured connection as GET /v1/connections shows it
// (type, last check with its result, time and checker, held or paused), with how much of its pacing
// budget the calls of every replica use now — the permits that still count in each window against the
// window's limit, and the calls in flight against the concurrency. Connections and their budgets are the
// operator's configuration and the gateway's own traffic, the same for every caller; no request, tenant
// or credential is in them.
import type { Kysely } from 'kysely';
import type { ConnectionConfig } from '../config.ts';
import { readPacingState } from '../db/sql/claim-paced-tasks.ts';
import type { DB } from '../db/schema.ts';
import type { ConnectionResource } from '../domain/connection-check.ts';
import { withReserve } from '../domain/connection-limits.ts';
import { listConnectionResources } from './connection-view.ts';

export type WindowBudget = {
  seconds: number;
  /** The configured limit. */
  max: number;
  /** What the gateway paces itself to: the limit less the share kept for the account's other clients. */
  pacedTo: number;
  /** Permits that still count in the window (every replica's, by the database clock). */
  used: number;
};

export type ConnectionBudget = { windows: WindowBudget[]; inFlight: number; concurrency: number | null };

/** budget is null for a connection with neither windows nor concurrency: its calls take no permit. */
export type ConnectionHealth = ConnectionResource & { budget: ConnectionBudget | null };

export async function readConnectionHealth(db: Kysely<DB>, connections: readonly ConnectionConfig[]): Promise<ConnectionHealth[]> {
  const { data } = await listConnectionResources(db, connections);
  return Promise.all(
    connections.map(async (c, i): Promise<ConnectionHealth> => {
      const resource = data[i]!;
      const { windows, concurrency } = c.limits;
      if (windows.length === 0 && concurrency === undefined) return { ...resource, budget: null };
      const paced = withReserve(c.limits).windows;
      const state = await readPacingState(db, c.name, { windows, concurrency }, 1);
      return {
        ...resource,
        budget: {
          windows: windows.map((w, k) => ({ seconds: w.seconds, max: w.max, pacedTo: paced[k]?.max ?? w.max, used: state.windows[k]?.used ?? 0 })),
          inFlight: state.inFlight,
          concurrency: concurrency ?? null,
        },
      };
    }),
  );
}
