// Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"), scoped to the API key that sent
// them. The primary key (api_key_name, key) is what makes 100 simultaneous submits create one request
// (intake inserts the key in its one statement: sql/submit-request.ts).
import type { Kysely, Selectable } from 'kysely';
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
