// GET /console/ — the overview: the key's requests (its tenant's, or every tenant's for allTenants) and
// the connections' health.
import type { FastifyInstance } from 'fastify';
import { readOverview } from '../../reports/overview.ts';
import { readConnectionHealth } from '../../services/connection-health.ts';
import { sendPage } from '../render.ts';
import { sessionOf } from '../session.ts';
import { overviewPage } from '../views/overview.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export function overviewRoute(scope: FastifyInstance): void {
  scope.get('/', { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const { database, clock, config } = scope.deps;
    const session = sessionOf(request);
    const [overview, connections] = await Promise.all([
      readOverview(database.db, clock.now(), session.identity),
      readConnectionHealth(database.db, config.file.connections),
    ]);
    return sendPage(reply, overviewPage(session, overview, connections));
  });
}
