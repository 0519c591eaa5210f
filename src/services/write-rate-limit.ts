// The per-key write limit (apiKeys[].rateLimit.perMinute, domain/write-rate.ts), counted in the shared
// database so every replica takes from the same bucket.
//
// Cost: a key allowed few writes a second (the default 600 a minute is 10) costs one statement per
// write and is counted exactly. A key allowed many takes its writes in leases — up to LEASE_MAX at a
// time, at most a twentieth of a second's budget — and spends them locally for up to LEASE_TTL_MS:
// one statement per lease instead of per write (measured: that statement was most of what the limit
// added to intake). Leased writes are counted when leased, so replicas together never admit more than
// the limit; a lease not spent in time is lost, so a replica may admit up to LEASE_MAX - 1 fewer.
import type { Clock } from '../clock.ts';
import type { Database } from '../db/database.ts';
import { takeWrites } from '../db/api-key-rate.ts';
import { problem } from '../domain/errors.ts';
import { emissionIntervalMs, retryAfterSeconds, WRITE_RATE_WINDOW_MS } from '../domain/write-rate.ts';

export const LEASE_MAX = 32;
export const LEASE_TTL_MS = 1_000;

/** Writes one lease may hold: a twentieth of a second's budget, 1 to LEASE_MAX. */
export function leaseSize(perMinute: number): number {
  return Math.max(1, Math.min(LEASE_MAX, Math.floor(perMinute / 60 / 20)));
}

export type WriteRateLimiter = {
  /** Counts one write of the key; throws the 429 `rate-limited` problem (with Retry-After) when over its limit. */
  countWrite(key: { name: string; perMinute: number }): Promise<void>;
};

type Lease = { left: number; until: number; refilling: Promise<void> | null; refused: { tat: Date; at: Date } | null };

export function createWriteRateLimiter(deps: { database: Pick<Database, 'pool' | 'namedStatements'>; clock: Clock }): WriteRateLimiter {
  const leases = new Map<string, Lease>();

  const refill = (lease: Lease, key: { name: string; perMinute: number }): Promise<void> => {
    // One statement per key at a time: the writes waiting meanwhile share what it grants.
    if (lease.refilling !== null) return lease.refilling;
    const now = deps.clock.now();
    lease.refilling = takeWrites(deps.database, key.name, now, {
      intervalMs: emissionIntervalMs(key.perMinute),
      windowMs: WRITE_RATE_WINDOW_MS,
      max: leaseSize(key.perMinute),
    })
      .then(({ granted, tat }) => {
        lease.left = granted;
        lease.until = now.getTime() + LEASE_TTL_MS;
        lease.refused = granted === 0 ? { tat, at: now } : null;
      })
      .finally(() => {
        lease.refilling = null;
      });
    return lease.refilling;
  };

  return {
    async countWrite(key) {
      const lease = leases.get(key.name) ?? { left: 0, until: 0, refilling: null, refused: null };
      leases.set(key.name, lease);
      for (;;) {
        if (lease.left > 0 && deps.clock.now().getTime() < lease.until) {
          lease.left -= 1;
          return;
        }
        // Shares a statement in flight for this key, or starts one.
        await refill(lease, key);
        if (lease.refused !== null) {
          const seconds = retryAfterSeconds(lease.refused.tat, lease.refused.at, key.perMinute);
          throw problem(
            'rate-limited',
            `The API key "${key.name}" may make ${key.perMinute} writes a minute (every POST under /v1), across every replica; retry in ${seconds} s.`,
            { headers: { 'retry-after': String(seconds) } },
          );
        }
      }
    },
  };
}
