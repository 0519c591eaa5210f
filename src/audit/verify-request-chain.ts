// Checks the hash chain of stored events: one request, or every request (for the CLI). Reading is all it
// does; the database refuses updates and deletes of events whatever the code does.
import type { Kysely } from 'kysely';
import { loadRequestChain } from '../db/events.ts';
import { listRequestIds, requestExists } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';
import { verifyChain, type ChainVerdict } from '../domain/event-chain.ts';

/** The verdict for one request's chain; null when the request does not exist. */
export async function verifyRequestChain(db: Kysely<DB>, requestId: string): Promise<ChainVerdict | null> {
  if (!(await requestExists(db, requestId))) return null;
  return verifyChain(await loadRequestChain(db, requestId));
}

export type RequestChainVerdict = { requestId: string; verdict: ChainVerdict };

/** Every request's verdict, in id order, a batch of requests at a time. */
export async function* verifyAllRequestChains(db: Kysely<DB>, batchSize = 500): AsyncGenerator<RequestChainVerdict> {
  let after: string | null = null;
  for (;;) {
    const ids = await listRequestIds(db, after, batchSize);
    for (const id of ids) yield { requestId: id, verdict: verifyChain(await loadRequestChain(db, id)) };
    if (ids.length < batchSize) return;
    after = ids.at(-1)!;
  }
}
