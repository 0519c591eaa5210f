// Everything the evidence of one request is made of — the request, its tasks, its whole audit chain and
// what was recorded about the chain (stored head, checkpointed heads), and the evidence already stored —
// read together, so the document never mixes two moments.
import type { Kysely } from 'kysely';
import type { ChainRecords } from '../../domain/event-chain.ts';
import { findEvidenceFor, findLatestEvidence, type StoredEvidence } from '../evidence.ts';
import { loadChainRecords, loadRequestChain, loadRequestChainLinks, type EventLink } from '../events.ts';
import type { TenantScope } from '../../domain/caller.ts';
import { inTenantScope } from '../requests.ts';
import type { DB, ErasureRequestRow, RequestEventRow, TaskRow } from '../schema.ts';

export type EvidenceRows<E extends EventLink = EventLink> = {
  request: ErasureRequestRow;
  tasks: TaskRow[];
  /** The whole chain: full events, or their links only (loadEvidenceRowsIn). */
  events: E[];
  records: ChainRecords;
  /** The evidence stored for the request's current finality (none while it is not final). */
  stored: StoredEvidence | undefined;
  /** The latest evidence stored for it, of this finality or an earlier one. */
  latest: StoredEvidence | undefined;
};

async function load<E extends EventLink>(
  trx: Kysely<DB>,
  requestId: string,
  chain: (db: Kysely<DB>, id: string) => Promise<E[]>,
  scope?: TenantScope,
): Promise<EvidenceRows<E> | undefined> {
  let query = trx.selectFrom('erasure_request').selectAll().where('id', '=', requestId);
  if (scope !== undefined) query = query.where(inTenantScope(scope));
  const request = await query.executeTakeFirst();
  if (request === undefined) return undefined;
  const tasks = await trx.selectFrom('task').selectAll().where('request_id', '=', requestId).execute();
  const events = await chain(trx, requestId);
  const records = (await loadChainRecords(trx, requestId))!;
  const stored = request.completed_at === null ? undefined : await findEvidenceFor(trx, requestId, request.completed_at);
  return { request, tasks, events, records, stored, latest: stored ?? (await findLatestEvidence(trx, requestId)) };
}

/**
 * In the caller's transaction (the settle transaction, request row locked), with the chain's links only:
 * signing needs where the chain ends, not every event's contents. Undefined when the request does not exist.
 */
export async function loadEvidenceRowsIn(trx: Kysely<DB>, requestId: string): Promise<EvidenceRows | undefined> {
  return load(trx, requestId, loadRequestChainLinks);
}

/**
 * With the full events, in one snapshot of its own (repeatable read, read only): for reading evidence.
 * Undefined when the request does not exist, or is not in the scope (an API caller's readScopeOf).
 */
export async function loadEvidenceRows(db: Kysely<DB>, requestId: string, scope: TenantScope): Promise<EvidenceRows<RequestEventRow> | undefined> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => load(trx, requestId, loadRequestChain, scope));
}

/**
 * loadEvidenceRowsIn for many requests at once, in six statements whatever their number (the settle
 * transaction signs the evidence of every request it made final). Only requests that exist are in the map.
 */
export async function loadEvidenceRowsOf(trx: Kysely<DB>, requestIds: readonly string[]): Promise<Map<string, EvidenceRows>> {
  const out = new Map<string, EvidenceRows>();
  if (requestIds.length === 0) return out;
  const ids = [...requestIds];
  const requests = await trx.selectFrom('erasure_request').selectAll().where('id', 'in', ids).execute();
  const tasks = await trx.selectFrom('task').selectAll().where('request_id', 'in', ids).execute();
  const links = await trx
    .selectFrom('request_event')
    .select(['request_id', 'seq', 'type', 'task_id', 'prev_hash', 'hash'])
    .where('request_id', 'in', ids)
    .orderBy('request_id')
    .orderBy('seq')
    .execute();
  const heads = await trx
    .selectFrom('audit_checkpoint_head')
    .select(['request_id', 'checkpoint_id', 'seq', 'hash'])
    .where('request_id', 'in', ids)
    .orderBy('checkpoint_id')
    .execute();
  const evidence = await trx.selectFrom('request_evidence').selectAll().where('request_id', 'in', ids).orderBy('completed_at').execute();
  const tasksOf = Map.groupBy(tasks, (t) => t.request_id);
  const linksOf = Map.groupBy(links, (l) => l.request_id);
  const headsOf = Map.groupBy(heads, (h) => h.request_id);
  const evidenceOf = Map.groupBy(evidence, (e) => e.request_id);
  for (const request of requests) {
    const mine = evidenceOf.get(request.id) ?? [];
    const completedAt = request.completed_at?.getTime();
    const stored = completedAt === undefined ? undefined : mine.find((e) => e.completed_at.getTime() === completedAt);
    out.set(request.id, {
      request,
      tasks: tasksOf.get(request.id) ?? [],
      events: linksOf.get(request.id) ?? [],
      records: {
        head: { seq: request.chain_seq, hash: request.chain_head },
        checkpoints: (headsOf.get(request.id) ?? []).map((h) => ({ checkpointId: Number(h.checkpoint_id), seq: h.seq, hash: h.hash })),
      },
      stored,
      latest: stored ?? mine.at(-1),
    });
  }
  return out;
}
