// GET /v1/erasure-requests — newest first, cursor-paginated, filterable. With `Accept: text/csv` the
// whole filtered list as a CSV export (for auditors), streamed.
import { z } from 'zod';
import type { RequestFilters } from '../../../db/requests.ts';
import { REQUEST_STATUSES } from '../../../domain/types.ts';
import { listRequestResources } from '../../../services/request-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { wantsCsv } from '../../negotiate.ts';
import { CSV_EXPORT_MAX_ROWS, sendRequestsCsv } from './send-requests-csv.ts';
import { cursorParam, isStorableText, pageLimit, queryBoolean, STORABLE_TEXT_MESSAGE, timestamp } from '../../schemas/common.ts';
import { erasureRequestPageSchema } from '../../schemas/erasure-request-resource.ts';
import { problemResponses } from '../../schemas/problem.ts';

const listQuery = z.strictObject({
  limit: pageLimit(100, 50),
  cursor: cursorParam.optional(),
  status: z.enum(REQUEST_STATUSES).optional(),
  externalRef: z.string().min(1).max(200).refine(isStorableText, STORABLE_TEXT_MESSAGE).optional(),
  overdue: queryBoolean.optional().describe('true: past dueAt and neither completed nor cancelled; false: the others'),
  createdAfter: timestamp.optional().describe('Only requests created after this instant'),
  createdBefore: timestamp.optional().describe('Only requests created before this instant'),
});

const csvExport = z
  .string()
  .describe(
    'RFC 4180 CSV with a header row: id, externalRef, regulation, status, overdue, createdAt, updatedAt, dueAt, completedAt, ' +
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
        'JSON pages of `limit` requests; follow `nextCursor`. ' +
        'With `Accept: text/csv` (preferred to JSON) the answer is instead the whole filtered list as one CSV attachment, newest first ' +
        `(\`limit\` and \`cursor\` do not apply; at most ${CSV_EXPORT_MAX_ROWS.toLocaleString('en')} rows).`,
      querystring: listQuery,
      response: {
        200: {
          description: 'A page of requests; with `Accept: text/csv`, every request matching the filters as CSV',
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
      const q = request.query;
      const filters: RequestFilters = {
        status: q.status,
        externalRef: q.externalRef,
        overdue: q.overdue,
        createdAfter: q.createdAfter === undefined ? undefined : new Date(q.createdAfter),
        createdBefore: q.createdBefore === undefined ? undefined : new Date(q.createdBefore),
      };
      // The answer depends on Accept: caches must keep the two representations apart.
      reply.header('vary', 'accept');
      if (wantsCsv(request.headers.accept)) return sendRequestsCsv(reply, database.db, filters, clock.now());
      return listRequestResources(database.db, { ...filters, limit: q.limit, cursor: q.cursor }, clock.now());
    },
  });
}
