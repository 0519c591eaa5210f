import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { inclusionProof, leafHash, merkleRoot, sortLeaves, verifyInclusion, type CheckpointLeaf } from './merkle.ts';

const leaf = (i: number): CheckpointLeaf => ({ requestId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, seq: i + 1, hash: createHash('sha256').update(String(i)).digest('hex') });
const h = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();

describe('checkpoint Merkle tree (RFC 9162)', () => {
  it('hashes leaves and nodes with their domain prefixes, splitting at the largest power of two', () => {
    expect(merkleRoot([])).toBe(createHash('sha256').digest('hex'));
    const [a, b, c] = [leaf(0), leaf(1), leaf(2)];
    expect(merkleRoot([a])).toBe(h(Buffer.of(0), Buffer.from(`${a.requestId}:1:${a.hash}`)).toString('hex'));
    const ab = h(Buffer.of(1), leafHash(a), leafHash(b));
    expect(merkleRoot([a, b, c])).toBe(h(Buffer.of(1), ab, leafHash(c)).toString('hex'));
  });

  it('proves every leaf of trees of every size from 1 to 40, and nothing else', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = sortLeaves(Array.from({ length: n }, (_, i) => leaf(i)));
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const proof = inclusionProof(leaves, i);
        expect(verifyInclusion(leaves[i]!, proof, root)).toBe(true);
        expect(verifyInclusion({ ...leaves[i]!, seq: leaves[i]!.seq + 1 }, proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(leaves[i]!, { ...proof, leafIndex: (i + 1) % n }, root)).toBe(false);
      }
    }
  });

  it('a changed or removed head changes the root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 64 }), fc.nat(), (n, pick) => {
        const leaves = sortLeaves(Array.from({ length: n }, (_, i) => leaf(i)));
        const root = merkleRoot(leaves);
        const i = pick % n;
        const changed = leaves.map((l, j) => (j === i ? { ...l, seq: l.seq - 1 } : l));
        const removed = leaves.filter((_, j) => j !== i);
        return merkleRoot(changed) !== root && merkleRoot(removed) !== root;
      }),
    );
  });
});
