// GET /v1/audit/checkpoints as a use case: the signed checkpoints, newest first, a page at a time; with a
// request id, each with that request's inclusion proof. Building a proof reads the checkpoint's leaves
// (one row per request) and recomputes the tree: if the stored heads no longer give the signed root,
// they were changed behind the gateway's back, and the answer says so instead of proving anything.
import type { Kysely } from 'kysely';
import { listCheckpoints, readCheckpointLeaves, type CheckpointRow } from '../db/checkpoints.ts';
import type { DB } from '../db/schema.ts';
import { decodeTaskCursor, encodeTaskCursor } from '../domain/cursor.ts';
import { problem } from '../domain/errors.ts';
import { inclusionProof, merkleRoot, sortLeaves } from '../domain/merkle.ts';

export type CheckpointInclusion = {
  requestId: string;
  /** The request's head in this checkpoint: event `seq`, of hash `headHash`. */
  seq: number;
  headHash: string;
  leafIndex: number;
  treeSize: number;
  /** RFC 9162 audit path, leaf to root (hex SHA-256). */
  path: string[];
};

export type CheckpointResource = {
  id: number;
  createdAt: string;
  treeSize: number;
  rootHash: string;
  kid: string;
  /** The signed checkpoint (compact JWS, typ erasure-checkpoint+jwt): what an auditor archives. */
  jws: string;
  /** With `requestId`: its proof, or null when the request is not in this checkpoint (it came later). */
  inclusion?: CheckpointInclusion | null;
  /** With `requestId`: whether the heads stored for this checkpoint still give its signed root. */
  storedHeadsMatchRoot?: boolean;
};

export type CheckpointPage = { data: CheckpointResource[]; nextCursor: string | null };

async function withProof(db: Kysely<DB>, row: CheckpointRow, requestId: string): Promise<Pick<CheckpointResource, 'inclusion' | 'storedHeadsMatchRoot'>> {
  const leaves = sortLeaves(await readCheckpointLeaves(db, Number(row.id)));
  if (leaves.length !== row.tree_size || merkleRoot(leaves) !== row.root_hash) return { inclusion: null, storedHeadsMatchRoot: false };
  const index = leaves.findIndex((l) => l.requestId === requestId);
  if (index < 0) return { inclusion: null, storedHeadsMatchRoot: true };
  const leaf = leaves[index]!;
  return { inclusion: { requestId, seq: leaf.seq, headHash: leaf.hash, ...inclusionProof(leaves, index) }, storedHeadsMatchRoot: true };
}

export async function listCheckpointResources(
  db: Kysely<DB>,
  query: { limit: number; cursor?: string | undefined; requestId?: string | undefined },
): Promise<CheckpointPage> {
  const before = query.cursor === undefined ? null : decodeTaskCursor(query.cursor);
  if (query.cursor !== undefined && before === null) {
    throw problem('validation', 'The cursor is not valid: pass the nextCursor of a previous page unchanged.', {
      errors: [{ path: 'query.cursor', message: 'not a cursor returned by this API' }],
    });
  }
  const rows = await listCheckpoints(db, before, query.limit + 1);
  const page = rows.slice(0, query.limit);
  const data: CheckpointResource[] = [];
  for (const row of page) {
    const base: CheckpointResource = {
      id: Number(row.id),
      createdAt: row.created_at.toISOString(),
      treeSize: row.tree_size,
      rootHash: row.root_hash,
      kid: row.kid,
      jws: row.jws,
    };
    data.push(query.requestId === undefined ? base : { ...base, ...(await withProof(db, row, query.requestId)) });
  }
  const last = page.at(-1);
  return { data, nextCursor: rows.length > query.limit && last !== undefined ? encodeTaskCursor(Number(last.id)) : null };
}
