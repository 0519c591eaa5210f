// The Merkle tree of a checkpoint: RFC 9162 (Certificate Transparency v2) §2.1 with SHA-256, over every
// request's chain head sorted by request id. A leaf is `SHA-256(0x00 || "<requestId>:<seq>:<headHash>")`,
// a node `SHA-256(0x01 || left || right)`, the tree split at the largest power of two below its size; the
// root of an empty tree is SHA-256 of nothing. An inclusion proof is the RFC's audit path, verified with
// its §2.1.3.2 algorithm (verifyInclusion): anyone can check one with nothing but SHA-256.
import { createHash } from 'node:crypto';

export const CHECKPOINT_TREE = 'rfc9162-sha256';

export type CheckpointLeaf = { requestId: string; seq: number; hash: string };

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/** The leaf's input: what the tree commits to for one request. */
export function leafData(leaf: CheckpointLeaf): string {
  return `${leaf.requestId}:${leaf.seq}:${leaf.hash}`;
}

export function leafHash(leaf: CheckpointLeaf): Buffer {
  return sha256(LEAF, Buffer.from(leafData(leaf), 'utf8'));
}

const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right);

/** The largest power of two smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** Leaves in tree order: by request id. */
export function sortLeaves(leaves: readonly CheckpointLeaf[]): CheckpointLeaf[] {
  return [...leaves].sort((a, b) => (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
}

function rootOf(hashes: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 1) return hashes[from]!;
  const k = split(n);
  return nodeHash(rootOf(hashes, from, from + k), rootOf(hashes, from + k, to));
}

/** The root hash (hex) of sorted leaves. */
export function merkleRoot(sorted: readonly CheckpointLeaf[]): string {
  if (sorted.length === 0) return sha256().toString('hex');
  return rootOf(sorted.map(leafHash), 0, sorted.length).toString('hex');
}

function pathOf(hashes: readonly Buffer[], m: number, from: number, to: number): Buffer[] {
  const n = to - from;
  if (n === 1) return [];
  const k = split(n);
  return m < k
    ? [...pathOf(hashes, m, from, from + k), rootOf(hashes, from + k, to)]
    : [...pathOf(hashes, m - k, from + k, to), rootOf(hashes, from, from + k)];
}

export type InclusionProof = { leafIndex: number; treeSize: number; path: string[] };

/** The audit path of leaf `index` in sorted leaves (hex hashes, leaf to root). */
export function inclusionProof(sorted: readonly CheckpointLeaf[], index: number): InclusionProof {
  if (index < 0 || index >= sorted.length) throw new RangeError(`leaf ${index} is not in a tree of ${sorted.length}`);
  return { leafIndex: index, treeSize: sorted.length, path: pathOf(sorted.map(leafHash), index, 0, sorted.length).map((h) => h.toString('hex')) };
}

/** RFC 9162 §2.1.3.2: whether `leaf` at `leafIndex` of a tree of `treeSize` leads along `path` to `rootHash`. */
export function verifyInclusion(leaf: CheckpointLeaf, proof: InclusionProof, rootHash: string): boolean {
  const { leafIndex, treeSize, path } = proof;
  if (leafIndex < 0 || leafIndex >= treeSize) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leafHash(leaf);
  for (const hex of path) {
    const p = Buffer.from(hex, 'hex');
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.toString('hex') === rootHash;
}
