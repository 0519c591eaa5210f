// GET /v1/connections — the configured connections with their type, limits and last check.
import { listConnectionResources } from '../../../services/connection-view.ts';
import type { ZodApp } from '../../app-deps.ts';
import { connectionListSchema } from '../../schemas/connection-resource.ts';
import { problemResponses } from '../../schemas/problem.ts';

export function listConnections(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/v1/connections',
    config: { scopes: ['erasure:read', 'audit:read'] },
    schema: {
      operationId: 'listConnections',
      tags: ['connections'],
      summary: 'List the connections',
      description:
        'Every configured connection (operator configuration, the same for every caller): its type, base URL, pacing limits, ' +
        'its last check and whether that check holds its deletions (`blocked`), and any rate-limit pause. Never a credential.',
      response: { 200: connectionListSchema, ...problemResponses(503) },
    },
    handler: async () => listConnectionResources(app.deps.database.db, app.deps.config.file.connections),
  });
}
