// Idempotency keys (IETF draft "The Idempotency-Key HTTP Header Field"), scoped per tenant: every key of
// one tenant shares them (a submit retried with a rotated key replays), two tenants never do. The primary
// key (tenant, key) is what makes 100 simultaneous submits create one request (intake inserts the key in
// its one statement: sql/submit-request.ts).
import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, IdempotencyKeyTable } from './schema.ts';

export type IdempotencyRecord = Selectable<IdempotencyKeyTable>;

export async function findIdempotencyKey(db: Kysely<DB>, tenant: string, key: string): Promise<IdempotencyRecord | undefined> {
  return db
    .selectFrom('idempotency_key')
    .selectAll()
    .where('tenant', '=', tenant)
    .where('key', '=', key)
    .executeTakeFirst();
}

/** Deletes keys stored before `before` (expired), a batch at a time; returns how many went. */
export async function deleteExpiredIdempotencyKeys(db: Kysely<DB>, before: Date, limit: number): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with gone as (
      delete from idempotency_key where ctid in (select ctid from idempotency_key where created_at < ${before} limit ${limit})
      returning 1
    )
    select count(*)::int as n from gone`.execute(db);
  return rows[0]?.n ?? 0;
}

/** Deletes one key if it expired (stored before `before`), so it can be used afresh. */
export async function deleteExpiredIdempotencyKey(db: Kysely<DB>, tenant: string, key: string, before: Date): Promise<void> {
  await db.deleteFrom('idempotency_key').where('tenant', '=', tenant).where('key', '=', key).where('created_at', '<', before).execute();
}

/**
 * The purge of a request: its stored answers keep no callback URL (the answer is the request resource
 * as it was at submit). Returns how many answers were changed.
 */
export async function redactIdempotencyAnswers(trx: Kysely<DB>, requestId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with changed as (
      update idempotency_key set response_body = jsonb_set(response_body, '{callbackUrl}', 'null'::jsonb)
      where request_id = ${requestId} and response_body->>'callbackUrl' is not null
      returning 1
    )
    select count(*)::int as n from changed`.execute(trx);
  return rows[0]?.n ?? 0;
}
