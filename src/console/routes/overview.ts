// GET /console/ — the overview.
import type { FastifyInstance } from 'fastify';
import { readOverview } from '../../reports/overview.ts';
import { sendPage } from '../render.ts';
import { sessionOf } from '../session.ts';
import { overviewPage } from '../views/overview.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export function overviewRoute(scope: FastifyInstance): void {
  scope.get('/', { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const { database, clock } = scope.deps;
    return sendPage(reply, overviewPage(sessionOf(request), await readOverview(database.db, clock.now())));
  });
}
