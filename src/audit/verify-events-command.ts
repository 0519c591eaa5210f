// What `node src/cli/verify-events.ts` does, without the process around it: checks one request's audit
// chain or all of them, prints one line per request, and returns the exit code (0 valid, 1 broken, 2 usage
// or unknown request).
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { ChainVerdict } from '../domain/event-chain.ts';
import { verifyAllRequestChains, verifyRequestChain } from './verify-request-chain.ts';

export const VERIFY_EVENTS_USAGE = 'usage: verify-events <requestId> | --all';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function formatVerdict(requestId: string, v: ChainVerdict): string {
  return v.valid
    ? `ok      ${requestId} events=${v.events} head=${v.headHash}`
    : `BROKEN  ${requestId} events=${v.events} first broken link: seq=${v.brokenAt.seq} (${v.brokenAt.reason})`;
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
    out(`${checked} request(s) checked, ${broken} broken chain(s)`);
    return broken > 0 ? 1 : 0;
  }
  if (!UUID.test(arg)) {
    err(`not a request id: ${arg}\n${VERIFY_EVENTS_USAGE}`);
    return 2;
  }
  const verdict = await verifyRequestChain(db, arg);
  if (verdict === null) {
    err(`no such request: ${arg}`);
    return 2;
  }
  out(formatVerdict(arg, verdict));
  return verdict.valid ? 0 : 1;
}
