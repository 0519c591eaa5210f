// The audit trail is hash-chained per request: each event stores the hash of the one before, so a
// change to any stored event breaks every link after it. Pure functions: no database here.
import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type ChainedEvent = {
  request_id: string;
  seq: number;
  at: Date;
  actor: string;
  type: string;
  task_id: string | null;
  data: unknown;
  prev_hash: string;
  hash: string;
};

/** JSON with object keys sorted at every depth, so the hash does not depend on key order (jsonb reorders). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function eventHash(e: Omit<ChainedEvent, 'hash'>): string {
  const body = canonicalJson({
    request_id: e.request_id,
    seq: e.seq,
    at: e.at.toISOString(),
    actor: e.actor,
    type: e.type,
    task_id: e.task_id,
    data: e.data,
    prev_hash: e.prev_hash,
  });
  return createHash('sha256').update(body).digest('hex');
}

/** Why a chain does not verify. The last four compare it with what was recorded about it elsewhere. */
export type ChainBreak =
  | 'hash_mismatch'
  | 'prev_hash_mismatch'
  | 'sequence_gap'
  /** No event at all: every request has at least `request.created`. */
  | 'empty_chain'
  /** The chain does not start at seq 1. */
  | 'missing_first_event'
  /** The request's stored head is beyond the last event: events were removed from the end. */
  | 'missing_tail'
  /** The last event is not the stored head (events appended behind its back, or the head rewritten). */
  | 'head_mismatch'
  /** A signed checkpoint recorded a head this chain no longer has (the head was rewritten too). */
  | 'checkpoint_mismatch';

export type ChainVerdict =
  | { valid: true; events: number; headHash: string; checkpoints: number }
  | { valid: false; events: number; brokenAt: { seq: number; reason: ChainBreak; checkpointId?: number } };

/** The head stored with the request (erasure_request.chain_seq / chain_head). */
export type StoredHead = { seq: number; hash: string };
/** A head of this request as a checkpoint recorded it. */
export type CheckpointedHead = { checkpointId: number; seq: number; hash: string };

export type ChainRecords = { head: StoredHead; checkpoints: readonly CheckpointedHead[] };

function broken(events: number, seq: number, reason: ChainBreak, checkpointId?: number): ChainVerdict {
  return { valid: false, events, brokenAt: checkpointId === undefined ? { seq, reason } : { seq, reason, checkpointId } };
}

/** What the links of a chain are made of, without the events' contents. */
export type ChainLink = Pick<ChainedEvent, 'seq' | 'prev_hash' | 'hash'>;

function check<E extends ChainLink>(events: readonly E[], records: ChainRecords | undefined, rehash: ((e: E) => boolean) | null): ChainVerdict {
  const n = events.length;
  if (n === 0) return broken(0, 1, 'empty_chain');
  if (events[0]!.seq !== 1) return broken(n, 1, 'missing_first_event');
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of events) {
    if (e.seq !== expectedSeq) return broken(n, e.seq, 'sequence_gap');
    if (e.prev_hash !== prev) return broken(n, e.seq, 'prev_hash_mismatch');
    if (rehash !== null && !rehash(e)) return broken(n, e.seq, 'hash_mismatch');
    prev = e.hash;
    expectedSeq += 1;
  }
  if (records === undefined) return { valid: true, events: n, headHash: prev, checkpoints: 0 };
  const { head, checkpoints } = records;
  if (head.seq > n) return broken(n, n + 1, 'missing_tail');
  if (head.seq < n) return broken(n, head.seq + 1, 'head_mismatch');
  if (head.hash !== prev) return broken(n, n, 'head_mismatch');
  const latestFirst = [...checkpoints].sort((a, b) => b.checkpointId - a.checkpointId);
  for (const c of latestFirst) {
    if (c.seq > n || c.seq < 1 || events[c.seq - 1]!.hash !== c.hash) return broken(n, Math.max(1, c.seq), 'checkpoint_mismatch', c.checkpointId);
  }
  return { valid: true, events: n, headHash: prev, checkpoints: checkpoints.length };
}

/**
 * Checks events of one request, in seq order, and reports the first broken link; then compares the
 * chain with the head stored with the request and with every head a checkpoint recorded (the latest
 * checkpoint that disagrees is named). Without records only the links are checked.
 */
export function verifyChain(events: readonly ChainedEvent[], records?: ChainRecords): ChainVerdict {
  return check(events, records, (e) => eventHash(e) === e.hash);
}

/**
 * verifyChain without recomputing each event's hash from its contents: sequence, links, stored head and
 * checkpoints. For signing evidence inside the transaction that appended the chain's last events; every
 * read of evidence verifies the whole chain before serving it.
 */
export function verifyChainLinks(links: readonly ChainLink[], records: ChainRecords): ChainVerdict {
  return check(links, records, null);
}
