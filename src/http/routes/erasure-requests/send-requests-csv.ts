// The CSV branch of GET /v1/erasure-requests (Accept: text/csv): up to `limit` requests matching the
// filters (default and maximum CSV_EXPORT_MAX_ROWS), newest first, streamed page by page. When more
// follow, the cursor that continues the export is in the response headers, sent before the first row:
// `Next-Cursor: <cursor>` and `Link: <…&cursor=…>; rel="next"` (RFC 8288).
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Caller } from '../../../domain/caller.ts';
import { exportRequestsCsv, type CsvExportQuery } from '../../../reports/export-requests-csv.ts';
import { CSV_MEDIA_TYPE } from '../../../reports/requests-csv.ts';
import type { DB } from '../../../db/schema.ts';

export const CSV_EXPORT_MAX_ROWS = 100_000;

/** The header row and the first page, read before answering: a database outage is a 503 problem, not a cut 200. */
const CHUNKS_BEFORE_ANSWERING = 2;

/** This request's URL with `cursor` replaced: the next export of the same filters and limit. */
function nextExportUrl(request: FastifyRequest, cursor: string): string {
  const [path = '', query = ''] = request.url.split('?');
  const params = new URLSearchParams(query);
  params.set('cursor', cursor);
  return `${path}?${params.toString()}`;
}

export async function sendRequestsCsv(reply: FastifyReply, db: Kysely<DB>, query: CsvExportQuery, now: Date, caller: Caller): Promise<FastifyReply> {
  const { nextCursor, chunks } = await exportRequestsCsv(db, query, now, caller);
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
  if (nextCursor !== null) {
    reply.header('next-cursor', nextCursor).header('link', `<${nextExportUrl(reply.request, nextCursor)}>; rel="next"`);
  }
  return reply
    .type(CSV_MEDIA_TYPE)
    .header('content-disposition', 'attachment; filename="erasure-requests.csv"')
    .header('vary', 'accept')
    .send(Readable.from(rest()));
}
