// GET /metrics — Prometheus text exposition of this process's registry.
import type { ZodApp } from '../../app-deps.ts';

export function metrics(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/metrics',
    schema: {
      operationId: 'metrics',
      tags: ['operations'],
      summary: 'Prometheus metrics',
      produces: ['text/plain'],
    },
    handler: async (_request, reply) => {
      const { registry } = app.deps.metrics;
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  });
}
