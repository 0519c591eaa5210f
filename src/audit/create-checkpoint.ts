// A signed checkpoint over every request's chain head: the heads (sorted by request id) are the leaves of
// an RFC 9162 Merkle tree (domain/merkle.ts); its root, the tree size and the previous checkpoint's root
// are signed with the evidence key (JWS, typ `erasure-checkpoint+jwt`). An auditor who archives
// checkpoints can later prove that a request's chain was cut or rewritten — or that a whole request was
// deleted — even by someone able to rewrite the database. One replica makes each (an advisory lock).
import type { Kysely } from 'kysely';
import { findLatestCheckpoint, insertCheckpoint, readCurrentHeads, tryCheckpointLock, type CheckpointRow } from '../db/checkpoints.ts';
import type { DB } from '../db/schema.ts';
import { CHECKPOINT_TREE, merkleRoot, sortLeaves } from '../domain/merkle.ts';
import { signCompactJws } from '../evidence/jws.ts';
import type { EvidenceSigningKey } from '../evidence/signing-key.ts';

export const CHECKPOINT_SCHEMA = 'erasure-checkpoint/v1';
export const CHECKPOINT_JWS_TYPE = 'erasure-checkpoint+jwt';

export type CheckpointPayload = {
  schema: typeof CHECKPOINT_SCHEMA;
  iss: string;
  /** 1, 2, 3…: a gap in the ids an auditor archived means checkpoints were removed. */
  id: number;
  iat: number;
  createdAt: string;
  tree: typeof CHECKPOINT_TREE;
  /** How many requests (leaves) the tree covers. */
  treeSize: number;
  rootHash: string;
  previous: { id: number; rootHash: string } | null;
};

export type CreateCheckpointOptions = {
  key: EvidenceSigningKey;
  now: Date;
  issuer?: string;
  /** Skip when the latest checkpoint is younger than this (another replica made it). */
  minIntervalMs?: number;
};

/** Makes a checkpoint, or returns null when another replica is making one or made one recently. */
export async function createCheckpoint(db: Kysely<DB>, options: CreateCheckpointOptions): Promise<CheckpointRow | null> {
  return db.transaction().execute(async (trx) => {
    if (!(await tryCheckpointLock(trx))) return null;
    const latest = await findLatestCheckpoint(trx);
    if (latest !== undefined && options.now.getTime() - latest.created_at.getTime() < (options.minIntervalMs ?? 0)) return null;
    const heads = await readCurrentHeads(trx);
    const leaves = sortLeaves(heads);
    const rootHash = merkleRoot(leaves);
    const id = Number(latest?.id ?? 0) + 1;
    const payload: CheckpointPayload = {
      schema: CHECKPOINT_SCHEMA,
      iss: options.issuer ?? 'erasure-gateway',
      id,
      iat: Math.floor(options.now.getTime() / 1000),
      createdAt: options.now.toISOString(),
      tree: CHECKPOINT_TREE,
      treeSize: leaves.length,
      rootHash,
      previous: latest === undefined ? null : { id: Number(latest.id), rootHash: latest.root_hash },
    };
    const row: CheckpointRow = {
      id,
      created_at: options.now,
      tree_size: leaves.length,
      root_hash: rootHash,
      kid: options.key.kid,
      jws: signCompactJws(options.key, payload, CHECKPOINT_JWS_TYPE),
    };
    await insertCheckpoint(
      trx,
      row,
      heads.filter((h) => h.changed),
    );
    return row;
  });
}
