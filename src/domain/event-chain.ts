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

export type ChainVerdict =
  | { valid: true; events: number; headHash: string }
  | { valid: false; events: number; brokenAt: { seq: number; reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'sequence_gap' } };

/** Checks events of one request, in seq order, and reports the first broken link. */
export function verifyChain(events: readonly ChainedEvent[]): ChainVerdict {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of events) {
    if (e.seq !== expectedSeq) return { valid: false, events: events.length, brokenAt: { seq: e.seq, reason: 'sequence_gap' } };
    if (e.prev_hash !== prev) return { valid: false, events: events.length, brokenAt: { seq: e.seq, reason: 'prev_hash_mismatch' } };
    if (eventHash(e) !== e.hash) return { valid: false, events: events.length, brokenAt: { seq: e.seq, reason: 'hash_mismatch' } };
    prev = e.hash;
    expectedSeq += 1;
  }
  return { valid: true, events: events.length, headHash: prev };
}
