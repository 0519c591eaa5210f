// What `node src/cli/verify-events.ts` does, without the process around it: checks one request's audit
// chain or all of them, prints one line per request, and returns the exit code (0 valid, 1 broken, 2 usage
// or unknown request).
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { ALL_TENANTS } from '../domain/caller.ts';
import type { ChainVerdict } from '../domain/event-chain.ts';
import { verifyAllRequestChains, verifyRequestChain } from './verify-request-chain.ts';
import { findLatestCheckpoint, listVanishedRequests, readCheckpointLeaves } from '../db/checkpoints.ts';
import { merkleRoot, sortLeaves } from '../domain/merkle.ts';

export const VERIFY_EVENTS_USAGE = 'usage: verify-events <requestId> | --all';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function formatVerdict(requestId: string, v: ChainVerdict): string {
  return v.valid
    ? `ok      ${requestId} events=${v.events} head=${v.headHash} checkpoints=${v.checkpoints}`
    : `BROKEN  ${requestId} events=${v.events} first broken link: seq=${v.brokenAt.seq} (${v.brokenAt.reason}${v.brokenAt.checkpointId === undefined ? '' : `, checkpoint ${v.brokenAt.checkpointId}`})`;
}

export async function runVerifyEvents(
  args: readonly string[],
  db: Kysely<DB>,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  if (args.length !== 1) {
    err(VERIFY_EVENTS_USAGE);
    return 2;
  }
  const [arg] = args as [string];
  if (arg === '--all') {
    let checked = 0;
    let broken = 0;
    for await (const { requestId, verdict } of verifyAllRequestChains(db)) {
      checked += 1;
      if (!verdict.valid) {
        broken += 1;
        out(formatVerdict(requestId, verdict));
      }
    }
    // What only checkpoints can show: whole requests gone, and the checkpointed heads themselves changed.
    const vanished = await listVanishedRequests(db, 10_000);
    for (const v of vanished) out(`MISSING ${v.requestId} recorded by checkpoint ${v.checkpointId} (head seq=${v.seq}), no longer in the database`);
    const latest = await findLatestCheckpoint(db);
    let checkpointBroken = false;
    if (latest !== undefined) {
      const leaves = sortLeaves(await readCheckpointLeaves(db, Number(latest.id)));
      checkpointBroken = leaves.length !== latest.tree_size || merkleRoot(leaves) !== latest.root_hash;
      if (checkpointBroken) out(`BROKEN  checkpoint ${latest.id}: the heads stored for it no longer give its signed root`);
    }
    out(`${checked} request(s) checked, ${broken} broken chain(s), ${vanished.length} request(s) missing from checkpoints${latest === undefined ? '' : `, checkpoint ${latest.id} ${checkpointBroken ? 'broken' : 'ok'}`}`);
    return broken > 0 || vanished.length > 0 || checkpointBroken ? 1 : 0;
  }
  if (!UUID.test(arg)) {
    err(`not a request id: ${arg}\n${VERIFY_EVENTS_USAGE}`);
    return 2;
  }
  // The operator's tool: every tenant's requests.
  const verdict = await verifyRequestChain(db, arg, ALL_TENANTS);
  if (verdict === null) {
    err(`no such request: ${arg}`);
    return 2;
  }
  out(formatVerdict(arg, verdict));
  return verdict.valid ? 0 : 1;
}
