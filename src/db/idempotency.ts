// Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"), scoped to the API key that sent
// them. The primary key (api_key_name, key) is what makes 100 simultaneous submits create one request.
import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DB, IdempotencyKeyTable } from './schema.ts';

export type IdempotencyRecord = Selectable<IdempotencyKeyTable>;

export async function findIdempotencyKey(db: Kysely<DB>, apiKeyName: string, key: string): Promise<IdempotencyRecord | undefined> {
  return db
    .selectFrom('idempotency_key')
    .selectAll()
    .where('api_key_name', '=', apiKeyName)
    .where('key', '=', key)
    .executeTakeFirst();
}

/**
 * Claims a key inside the submitting transaction. False when another transaction holds it; if that one
 * is still open, this insert waits for it to finish, so after a false the winner's row is committed.
 */
export async function claimIdempotencyKey(trx: Kysely<DB>, row: Insertable<IdempotencyKeyTable>): Promise<boolean> {
  const inserted = await trx
    .insertInto('idempotency_key')
    .values(row)
    .onConflict((oc) => oc.columns(['api_key_name', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}
