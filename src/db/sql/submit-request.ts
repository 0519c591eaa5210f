// Intake in ONE round trip: a single statement (fixed text, prepared once per connection where allowed)
// whose data-modifying CTEs insert the request, its idempotency key, all its tasks and its first
// `request.created` event. Autocommit: the statement is its own transaction, so it is atomic.
//
// The workers' nudge is NOT part of it (see notify.ts, nudgeWorkers). The idempotency row's foreign key
// to erasure_request is checked at the end of the
// statement, after every CTE has run. A concurrent submit with the same key waits for ours to commit,
// then fails with 23505 on idempotency_key_pkey (see isIdempotencyKeyConflict).
import type pg from 'pg';
import type { Database } from '../database.ts';
import { eventHash, GENESIS_HASH } from '../../domain/event-chain.ts';
import type { JsonObject } from '../../domain/json.ts';

export type SubmitRow = {
  id: string;
  externalRef: string | null;
  regulation: string;
  subject: JsonObject | null;
  subjectHashes: JsonObject | null;
  callbackUrl: string | null;
  /** The submitting key's tenant: who may see and change the request. */
  tenant: string;
  createdBy: string;
  dueAt: Date;
  now: Date;
  tasks: ReadonlyArray<{ id: string; seq: number; type: string; targetIndex: number; connection: string | null; locator: unknown }>;
  /** Absent: no Idempotency-Key; nothing is written to idempotency_key. Scoped to the request's tenant. */
  idempotency: { apiKeyName: string; key: string; bodyHash: string; responseBody: unknown } | null;
  /** The `request.created` event: the first link of a new chain. */
  event: { actor: string; data: JsonObject };
};

// Every task starts pending at phase start with 0 attempts, due now; request_id/created_at/updated_at are
// the request's. Columns not listed keep their defaults (null), as the Kysely inserts did.
const TEXT = `with r as (
  insert into erasure_request (id, external_ref, regulation, status, subject, subject_hashes, callback_url, created_at, updated_at, completed_at, cancelled_at, due_at, created_by, task_count, tenant)
  values ($1::uuid, $2::text, $3::text, 'pending', $4::jsonb, $5::jsonb, $6::text, $7::timestamptz, $7::timestamptz, null, null, $8::timestamptz, $9::text, $10::int, $25::text)
), t as (
  insert into task (id, request_id, seq, type, target_index, connection, locator, state, phase, attempts, next_attempt_at, created_at, updated_at)
  select u.id, $1::uuid, u.seq, u.type, u.target_index, u.connection, u.locator, 'pending', 'start', 0, $7::timestamptz, $7::timestamptz, $7::timestamptz
  from unnest($11::uuid[], $12::int[], $13::text[], $14::int[], $15::text[], $16::jsonb[]) as u(id, seq, type, target_index, connection, locator)
), k as (
  insert into idempotency_key (tenant, api_key_name, key, body_hash, request_id, response_status, response_body, created_at)
  select $25::text, $17::text, $18::text, $19::text, $1::uuid, 202, $20::jsonb, $7::timestamptz
  where $18::text is not null
), e as (
  insert into request_event (request_id, seq, at, actor, type, task_id, data, prev_hash, hash)
  values ($1::uuid, 1, $7::timestamptz, $21::text, 'request.created', null, $22::jsonb, $23::text, $24::text)
)
select 1`;

// v2: the tenant ($25). A new name, so a connection that prepared v1 never runs it with v2's parameters.
export const SUBMIT_STATEMENT_NAME = 'eg_submit_request_v2';

export function submitQuery(row: SubmitRow): pg.QueryConfig {
  // jsonb keeps what JSON keeps: serialise once, and hash what the database will give back.
  const dataText = JSON.stringify(row.event.data);
  const data = JSON.parse(dataText) as JsonObject;
  const hash = eventHash({
    request_id: row.id,
    seq: 1,
    at: row.now,
    actor: row.event.actor,
    type: 'request.created',
    task_id: null,
    data,
    prev_hash: GENESIS_HASH,
  });
  const n = row.tasks.length;
  const ids = new Array<string>(n);
  const seqs = new Array<number>(n);
  const types = new Array<string>(n);
  const targets = new Array<number>(n);
  const connections = new Array<string | null>(n);
  const locators = new Array<string>(n);
  for (let i = 0; i < n; i += 1) {
    const t = row.tasks[i]!;
    ids[i] = t.id;
    seqs[i] = t.seq;
    types[i] = t.type;
    targets[i] = t.targetIndex;
    connections[i] = t.connection;
    locators[i] = JSON.stringify(t.locator);
  }
  const idem = row.idempotency;
  return {
    name: SUBMIT_STATEMENT_NAME,
    text: TEXT,
    values: [
      row.id,
      row.externalRef,
      row.regulation,
      row.subject === null ? null : JSON.stringify(row.subject),
      row.subjectHashes === null ? null : JSON.stringify(row.subjectHashes),
      row.callbackUrl,
      row.now,
      row.dueAt,
      row.createdBy,
      n,
      ids,
      seqs,
      types,
      targets,
      connections,
      locators,
      idem?.apiKeyName ?? null,
      idem?.key ?? null,
      idem?.bodyHash ?? null,
      idem === null ? null : JSON.stringify(idem.responseBody),
      row.event.actor,
      dataText,
      GENESIS_HASH,
      hash,
      row.tenant,
    ],
  };
}

/**
 * Runs the submit statement: prepared once per connection under its name where the database allows
 * named statements (Database.namedStatements), else as an unnamed statement (parsed per call).
 */
export async function submitRequestStatement(database: Pick<Database, 'pool' | 'namedStatements'>, row: SubmitRow): Promise<void> {
  const query = submitQuery(row);
  await database.pool.query(database.namedStatements ? query : { text: query.text, values: query.values });
}

/** The loser of a race on the same (tenant, Idempotency-Key): the winner has committed by now. */
export function isIdempotencyKeyConflict(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return e !== null && typeof e === 'object' && e.code === '23505' && e.constraint === 'idempotency_key_pkey';
}
