// Per-request plumbing: echo the request id, one access-log line and one latency observation per
// request. The access log carries the route pattern, never the raw URL, headers or body.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

async function requestContextPlugin(app: FastifyInstance): Promise<void> {
  const { metrics } = app.deps;
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.observe({ method: request.method, route, status: String(reply.statusCode) }, seconds);
    request.log.info(
      { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, caller: request.caller?.name },
      'request completed',
    );
  });
}

export default fp(requestContextPlugin, { name: 'request-context', fastify: '5.x' });
