// GET /console/requests.csv — "Export CSV": the API's CSV export of the filtered list, with the session.
import type { FastifyInstance } from 'fastify';
import { problem } from '../../domain/errors.ts';
import { sendRequestsCsv } from '../../http/routes/erasure-requests/send-requests-csv.ts';
import { parseListQuery } from '../request-filters.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export function requestsCsvRoute(scope: FastifyInstance): void {
  scope.get('/requests.csv', { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const parsed = parseListQuery(request.query);
    if (!parsed.ok) throw problem('validation', parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors: parsed.errors });
    const { database, clock } = scope.deps;
    return sendRequestsCsv(reply, database.db, parsed.filters, clock.now());
  });
}
