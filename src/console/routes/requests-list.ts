// GET /console/requests — the filtered, paginated request list (the API's list service).
import type { FastifyInstance } from 'fastify';
import { listRequestResources } from '../../services/request-view.ts';
import { sendPage } from '../render.ts';
import { parseListQuery } from '../request-filters.ts';
import { sessionOf } from '../session.ts';
import { requestsListPage } from '../views/requests-list.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export const CONSOLE_PAGE_SIZE = 50;

export function requestsListRoute(scope: FastifyInstance): void {
  scope.get('/requests', { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const session = sessionOf(request);
    const parsed = parseListQuery(request.query);
    if (!parsed.ok) return sendPage(reply, requestsListPage({ session, form: parsed.form, page: null, errors: parsed.errors, paged: false }), 400);
    const { database, clock } = scope.deps;
    const page = await listRequestResources(
      database.db,
      { ...parsed.filters, limit: CONSOLE_PAGE_SIZE, ...(parsed.cursor === undefined ? {} : { cursor: parsed.cursor }) },
      clock.now(),
      session.identity,
    );
    return sendPage(reply, requestsListPage({ session, form: parsed.form, page, paged: parsed.cursor !== undefined }));
  });
}
