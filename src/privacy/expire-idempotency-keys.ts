// Idempotency answers are the request resource as it was at submit (its callback URL included): they are
// kept `privacy.idempotencyTtlHours` and then deleted. A submit with an expired key is a new request.
import type { Kysely } from 'kysely';
import { deleteExpiredIdempotencyKeys } from '../db/idempotency.ts';
import type { DB } from '../db/schema.ts';

const HOUR_MS = 3_600_000;

/** The instant before which a stored key has expired. */
export function idempotencyCutoff(now: Date, ttlHours: number): Date {
  return new Date(now.getTime() - ttlHours * HOUR_MS);
}

/** Deletes every expired key, in batches; returns how many went. */
export async function expireIdempotencyKeys(db: Kysely<DB>, now: Date, ttlHours: number, batchSize = 5000): Promise<number> {
  const before = idempotencyCutoff(now, ttlHours);
  let total = 0;
  for (;;) {
    const n = await deleteExpiredIdempotencyKeys(db, before, batchSize);
    total += n;
    if (n < batchSize) return total;
  }
}
