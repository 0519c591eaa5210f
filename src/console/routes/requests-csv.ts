// GET /console/requests.csv — "Export CSV": the API's CSV export of the filtered list, with the session.
import type { FastifyInstance } from 'fastify';
import { problem } from '../../domain/errors.ts';
import { CSV_EXPORT_MAX_ROWS, sendRequestsCsv } from '../../http/routes/erasure-requests/send-requests-csv.ts';
import { sessionOf } from '../session.ts';
import { parseListQuery } from '../request-filters.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export function requestsCsvRoute(scope: FastifyInstance): void {
  scope.get('/requests.csv', { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const parsed = parseListQuery(request.query);
    if (!parsed.ok) throw problem('validation', parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors: parsed.errors });
    const { database, clock } = scope.deps;
    // The export as the API makes it for this key: its tenant only (or every tenant for allTenants), capped.
    return sendRequestsCsv(reply, database.db, { filters: parsed.filters, limit: CSV_EXPORT_MAX_ROWS }, clock.now(), sessionOf(request).identity);
  });
}
