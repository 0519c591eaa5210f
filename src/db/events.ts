// Appending to and reading a request's hash-chained audit trail.
import type { Kysely } from 'kysely';
import { eventHash, GENESIS_HASH } from '../domain/event-chain.ts';
import type { NewEvent } from '../domain/new-event.ts';
import type { DB, RequestEventRow } from './schema.ts';
import type { JsonObject } from '../domain/json.ts';
import type { ChainRecords } from '../domain/event-chain.ts';

/** A chain's links and the fields that place an event (what evidence needs), without its data. */
export type EventLink = Pick<RequestEventRow, 'seq' | 'type' | 'task_id' | 'prev_hash' | 'hash'>;

/**
 * Appends events to a request's chain. The database advances the request's stored head
 * (erasure_request.chain_seq/chain_head) in the same statement (trigger request_event_advance_head).
 * The caller must hold the request's row lock
 * (db/requests.ts, lockRequest) in the same transaction, so appends to one chain never interleave.
 */
export async function appendEvents(trx: Kysely<DB>, requestId: string, events: readonly NewEvent[]): Promise<void> {
  await appendEventsToRequests(trx, new Map([[requestId, events]]));
}

/**
 * appendEvents for several requests in two statements (the workers settle many requests per
 * transaction). The caller holds every one of these requests' row locks.
 */
export async function appendEventsToRequests(trx: Kysely<DB>, byRequest: ReadonlyMap<string, readonly NewEvent[]>): Promise<void> {
  const ids = [...byRequest].filter(([, events]) => events.length > 0).map(([id]) => id);
  if (ids.length === 0) return;
  const heads = await trx
    .selectFrom('request_event')
    .select(['request_id', 'seq', 'hash'])
    .distinctOn('request_id')
    .where('request_id', 'in', ids)
    .orderBy('request_id')
    .orderBy('seq', 'desc')
    .execute();
  const headOf = new Map(heads.map((h) => [h.request_id, h]));
  const rows = ids.flatMap((requestId) => {
    const head = headOf.get(requestId);
    let seq = head?.seq ?? 0;
    let prev = head?.hash ?? GENESIS_HASH;
    return byRequest.get(requestId)!.map((e) => {
      seq += 1;
      // jsonb keeps what JSON keeps: drop undefined now so the stored data hashes the same when read back.
      const data = JSON.parse(JSON.stringify(e.data)) as JsonObject;
      const at = new Date(e.at.getTime());
      const row = { request_id: requestId, seq, at, actor: e.actor, type: e.type, task_id: e.taskId ?? null, data, prev_hash: prev };
      const hash = eventHash(row);
      prev = hash;
      return { ...row, hash };
    });
  });
  // ~10 parameters a row: stay well under Postgres' 65,535-parameter limit.
  for (let i = 0; i < rows.length; i += 2000) await trx.insertInto('request_event').values(rows.slice(i, i + 2000)).execute();
}

export async function listEvents(db: Kysely<DB>, requestId: string, afterSeq = 0, limit = 1000): Promise<RequestEventRow[]> {
  return db
    .selectFrom('request_event')
    .selectAll()
    .where('request_id', '=', requestId)
    .where('seq', '>', afterSeq)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute();
}

const CHAIN_PAGE = 1000;

/** One request's whole audit trail in seq order, a page at a time. */
export async function loadRequestChain(db: Kysely<DB>, requestId: string): Promise<RequestEventRow[]> {
  const all: RequestEventRow[] = [];
  for (;;) {
    const page = await listEvents(db, requestId, all.at(-1)?.seq ?? 0, CHAIN_PAGE);
    all.push(...page);
    if (page.length < CHAIN_PAGE) return all;
  }
}

/** loadRequestChain without the events' data (cheaper to read when the contents are not checked). */
export async function loadRequestChainLinks(db: Kysely<DB>, requestId: string): Promise<EventLink[]> {
  const all: EventLink[] = [];
  for (;;) {
    const page = await db
      .selectFrom('request_event')
      .select(['seq', 'type', 'task_id', 'prev_hash', 'hash'])
      .where('request_id', '=', requestId)
      .where('seq', '>', all.at(-1)?.seq ?? 0)
      .orderBy('seq', 'asc')
      .limit(CHAIN_PAGE)
      .execute();
    all.push(...page);
    if (page.length < CHAIN_PAGE) return all;
  }
}

/**
 * What was recorded about a request's chain outside it: the head stored with the request and every head
 * a checkpoint recorded. Undefined when the request does not exist.
 */
export async function loadChainRecords(db: Kysely<DB>, requestId: string): Promise<ChainRecords | undefined> {
  const head = await db.selectFrom('erasure_request').select(['chain_seq', 'chain_head']).where('id', '=', requestId).executeTakeFirst();
  if (head === undefined) return undefined;
  const checkpoints = await db
    .selectFrom('audit_checkpoint_head')
    .select(['checkpoint_id', 'seq', 'hash'])
    .where('request_id', '=', requestId)
    .orderBy('checkpoint_id')
    .execute();
  return {
    head: { seq: head.chain_seq, hash: head.chain_head },
    checkpoints: checkpoints.map((c) => ({ checkpointId: Number(c.checkpoint_id), seq: c.seq, hash: c.hash })),
  };
}
