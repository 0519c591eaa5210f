// Checks the hash chain of stored events: one request, or every request (for the CLI). Reading is all it
// does; the database refuses updates and deletes of events whatever the code does.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { verifyChain, type ChainVerdict } from '../domain/event-chain.ts';
import { loadRequestChain } from './load-chain.ts';

/** The verdict for one request's chain; null when the request does not exist. */
export async function verifyRequestChain(db: Kysely<DB>, requestId: string): Promise<ChainVerdict | null> {
  const exists = await db.selectFrom('erasure_request').select('id').where('id', '=', requestId).executeTakeFirst();
  if (exists === undefined) return null;
  return verifyChain(await loadRequestChain(db, requestId));
}

export type RequestChainVerdict = { requestId: string; verdict: ChainVerdict };

/** Every request's verdict, in id order, a batch of requests at a time. */
export async function* verifyAllRequestChains(db: Kysely<DB>, batchSize = 500): AsyncGenerator<RequestChainVerdict> {
  let after: string | null = null;
  for (;;) {
    let query = db.selectFrom('erasure_request').select('id').orderBy('id').limit(batchSize);
    if (after !== null) query = query.where('id', '>', after);
    const ids = await query.execute();
    for (const { id } of ids) yield { requestId: id, verdict: verifyChain(await loadRequestChain(db, id)) };
    if (ids.length < batchSize) return;
    after = ids.at(-1)!.id;
  }
}
