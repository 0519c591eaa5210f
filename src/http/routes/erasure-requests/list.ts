// GET /v1/erasure-requests — the caller's tenant's requests (every tenant's for an `allTenants` key),
// newest first, cursor-paginated, filterable. With `Accept: text/csv` a CSV export of up to 100,000 of
// them (for auditors), streamed, continued by cursor.
import { z } from 'zod';
import type { RequestFilters } from '../../../db/requests.ts';
import { REQUEST_STATUSES } from '../../../domain/types.ts';
import { listRequestResources } from '../../../services/request-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { wantsCsv } from '../../negotiate.ts';
import { callerOf } from '../../plugins/auth.ts';
import { CSV_EXPORT_MAX_ROWS, sendRequestsCsv } from './send-requests-csv.ts';
import { cursorParam, isStorableText, queryBoolean, STORABLE_TEXT_MESSAGE, timestamp } from '../../schemas/common.ts';
import { erasureRequestPageSchema } from '../../schemas/erasure-request-resource.ts';
import { problemResponses } from '../../schemas/problem.ts';

const JSON_PAGE_MAX = 100;
const JSON_PAGE_DEFAULT = 50;

const listQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(CSV_EXPORT_MAX_ROWS)
    .optional()
    .describe(
      `JSON: page size, 1..${JSON_PAGE_MAX} (default ${JSON_PAGE_DEFAULT}; a larger limit gives pages of ${JSON_PAGE_MAX}). CSV: rows in this export, 1..${CSV_EXPORT_MAX_ROWS.toLocaleString('en')} (default ${CSV_EXPORT_MAX_ROWS.toLocaleString('en')})`,
    ),
  cursor: cursorParam.optional().describe('Opaque cursor: the `nextCursor` of the previous page, or the `Next-Cursor` header of the previous CSV export'),
  status: z.enum(REQUEST_STATUSES).optional(),
  externalRef: z.string().min(1).max(200).refine(isStorableText, STORABLE_TEXT_MESSAGE).optional(),
  overdue: queryBoolean.optional().describe('true: past dueAt and neither completed nor cancelled; false: the others'),
  createdAfter: timestamp.optional().describe('Only requests created after this instant'),
  createdBefore: timestamp.optional().describe('Only requests created before this instant'),
  stalled: queryBoolean.optional().describe('true: with at least one task open past its expected wait (`stalled` in its tasks); false: with none'),
  dueBefore: timestamp.optional().describe('Only requests neither completed nor cancelled whose dueAt is before this instant (overdue ones included)'),
});

const csvExport = z
  .string()
  .describe(
    'RFC 4180 CSV with a header row: id, tenant, externalRef, regulation, status, overdue, createdAt, updatedAt, dueAt, completedAt, ' +
      'cancelledAt, targets (`type@connection`, space-separated), tasks, then tasks_<state> for each task state. ' +
      'Cells a spreadsheet would run as a formula are prefixed with a single quote.',
  );

export function listErasureRequests(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/v1/erasure-requests',
    config: { scopes: ['erasure:read', 'audit:read'] },
    schema: {
      operationId: 'listErasureRequests',
      tags: ['erasure-requests'],
      summary: 'List erasure requests, newest first',
      description:
        "The key's own tenant's requests; every tenant's for a key with `allTenants`. " +
        'JSON pages of `limit` requests; follow `nextCursor`. ' +
        `With \`Accept: text/csv\` (preferred to JSON) the answer is instead a CSV attachment of up to \`limit\` requests (default and at most ${CSV_EXPORT_MAX_ROWS.toLocaleString('en')}), newest first, streamed; ` +
        'when more follow, the `Next-Cursor` response header (and `Link: <…>; rel="next"`) holds the cursor of the next export.',
      querystring: listQuery,
      response: {
        200: {
          description: 'A page of requests; with `Accept: text/csv`, up to `limit` requests matching the filters as CSV',
          headers: {
            'next-cursor': { schema: { type: 'string' }, description: 'CSV only, when more requests follow: pass it as `cursor` to continue the export' },
            link: { schema: { type: 'string' }, description: 'CSV only, when more requests follow: `<url of the next export>; rel="next"`' },
          },
          content: {
            'application/json': { schema: erasureRequestPageSchema },
            'text/csv': { schema: csvExport },
          },
        },
        ...problemResponses(400, 503),
      },
    },
    handler: async (request, reply) => {
      const { database, clock } = app.deps;
      const caller = callerOf(request);
      const q = request.query;
      const filters: RequestFilters = {
        status: q.status,
        externalRef: q.externalRef,
        overdue: q.overdue,
        createdAfter: q.createdAfter === undefined ? undefined : new Date(q.createdAfter),
        createdBefore: q.createdBefore === undefined ? undefined : new Date(q.createdBefore),
        stalled: q.stalled,
        dueBefore: q.dueBefore === undefined ? undefined : new Date(q.dueBefore),
      };
      // The answer depends on Accept: caches must keep the two representations apart.
      reply.header('vary', 'accept');
      if (wantsCsv(request.headers.accept)) {
        return sendRequestsCsv(reply, database.db, { filters, limit: q.limit ?? CSV_EXPORT_MAX_ROWS, cursor: q.cursor }, clock.now(), caller);
      }
      // One limit for both representations: a JSON page holds at most JSON_PAGE_MAX, larger limits are taken as that.
      const limit = Math.min(q.limit ?? JSON_PAGE_DEFAULT, JSON_PAGE_MAX);
      return listRequestResources(
        database.db,
        { ...filters, limit, ...(q.cursor === undefined ? {} : { cursor: q.cursor }) },
        clock.now(),
        caller,
      );
    },
  });
}
