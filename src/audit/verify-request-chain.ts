// Checks the hash chain of stored events — its links, the head stored with the request, and every head a
// signed checkpoint recorded — for one request, or every request (for the CLI). Reading is all it does;
// the database refuses updates and deletes of events whatever the code does.
import type { Kysely } from 'kysely';
import { loadChainRecords, loadRequestChain } from '../db/events.ts';
import { findRequestTenant, listRequestIds } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { ALL_TENANTS, type TenantScope } from '../domain/caller.ts';
import { verifyChain, type ChainVerdict } from '../domain/event-chain.ts';

/**
 * The verdict for one request's chain; null when the request does not exist or is not in the scope
 * (an API caller's readScopeOf; ALL_TENANTS for the CLI).
 */
export async function verifyRequestChain(db: Kysely<DB>, requestId: string, scope: TenantScope): Promise<ChainVerdict | null> {
  // One snapshot: an event appended between reading the chain and its head must not look like tampering.
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      if ((await findRequestTenant(trx, requestId, scope)) === undefined) return null;
      const records = await loadChainRecords(trx, requestId);
      if (records === undefined) return null;
      return verifyChain(await loadRequestChain(trx, requestId), records);
    });
}

export type RequestChainVerdict = { requestId: string; verdict: ChainVerdict };

/** Every request's verdict, in id order, a batch of requests at a time. */
export async function* verifyAllRequestChains(db: Kysely<DB>, batchSize = 500): AsyncGenerator<RequestChainVerdict> {
  let after: string | null = null;
  for (;;) {
    const ids = await listRequestIds(db, after, batchSize);
    for (const id of ids) {
      const verdict = await verifyRequestChain(db, id, ALL_TENANTS);
      if (verdict !== null) yield { requestId: id, verdict };
    }
    if (ids.length < batchSize) return;
    after = ids.at(-1)!;
  }
}
