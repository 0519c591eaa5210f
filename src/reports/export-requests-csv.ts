// The whole filtered request list as CSV chunks (header first, then one chunk per page), for streaming
// to an auditor: memory stays flat however many requests match.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { RequestFilters } from '../db/requests.ts';
import { listRequestResources } from '../services/request-view.ts';
import { renderRequestsCsv, requestsCsvHeader } from './requests-csv.ts';

const PAGE = 100;

export async function* requestsCsvChunks(db: Kysely<DB>, filters: RequestFilters, now: Date, options: { maxRows?: number } = {}): AsyncGenerator<string> {
  yield requestsCsvHeader();
  let cursor: string | undefined;
  let rows = 0;
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
  do {
    const limit = Math.min(PAGE, maxRows - rows);
    if (limit <= 0) return;
    const page = await listRequestResources(db, { ...filters, limit, ...(cursor === undefined ? {} : { cursor }) }, now);
    rows += page.data.length;
    if (page.data.length > 0) yield renderRequestsCsv(page.data, { header: false });
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}

