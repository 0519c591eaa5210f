// The CSV branch of GET /v1/erasure-requests (Accept: text/csv): every request matching the filters,
// newest first, streamed page by page. `limit` and `cursor` do not apply: an export is the whole list
// (bounded by maxRows).
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Kysely } from 'kysely';
import { requestsCsvChunks } from '../../../reports/export-requests-csv.ts';
import { CSV_MEDIA_TYPE } from '../../../reports/requests-csv.ts';
import type { RequestFilters } from '../../../db/requests.ts';
import type { DB } from '../../../db/schema.ts';

export const CSV_EXPORT_MAX_ROWS = 100_000;

/** The header row and the first page, read before answering: a database outage is a 503 problem, not a cut 200. */
const CHUNKS_BEFORE_ANSWERING = 2;

export async function sendRequestsCsv(reply: FastifyReply, db: Kysely<DB>, filters: RequestFilters, now: Date): Promise<FastifyReply> {
  const chunks = requestsCsvChunks(db, filters, now, { maxRows: CSV_EXPORT_MAX_ROWS });
  const first: string[] = [];
  let done = false;
  while (!done && first.length < CHUNKS_BEFORE_ANSWERING) {
    const next = await chunks.next();
    if (next.done === true) done = true;
    else first.push(next.value);
  }
  async function* rest(): AsyncGenerator<string> {
    yield* first;
    if (!done) yield* chunks;
  }
  return reply
    .type(CSV_MEDIA_TYPE)
    .header('content-disposition', 'attachment; filename="erasure-requests.csv"')
    .header('vary', 'accept')
    .send(Readable.from(rest()));
}
