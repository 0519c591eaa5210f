// Reads one request's whole audit trail in seq order, a page at a time.
import type { Kysely } from 'kysely';
import { listEvents } from '../db/events.ts';
import type { DB, RequestEventRow } from '../db/schema.ts';

const PAGE = 1000;

export async function loadRequestChain(db: Kysely<DB>, requestId: string): Promise<RequestEventRow[]> {
  const all: RequestEventRow[] = [];
  for (;;) {
    const page = await listEvents(db, requestId, all.at(-1)?.seq ?? 0, PAGE);
    all.push(...page);
    if (page.length < PAGE) return all;
  }
}
