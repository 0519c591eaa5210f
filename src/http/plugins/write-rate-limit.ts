// Every POST under /v1 is a write, and counts against its API key's rateLimit.perMinute
// (services/write-rate-limit.ts): checked right after authentication, before the body is read, so a key
// over its limit costs the gateway at most one statement and gets 429 `rate-limited` with Retry-After.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { createWriteRateLimiter } from '../../services/write-rate-limit.ts';
import { problemResponses } from '../schemas/problem.ts';

function isWrite(method: string | readonly string[], url: string): boolean {
  return (Array.isArray(method) ? method.includes('POST') : method === 'POST') && url.startsWith('/v1/');
}

async function writeRateLimitPlugin(app: FastifyInstance): Promise<void> {
  const perMinute = new Map(app.deps.config.file.apiKeys.map((k) => [k.name, k.rateLimit.perMinute]));
  const limiter = createWriteRateLimiter(app.deps);

  app.addHook('onRoute', (route) => {
    if (!isWrite(route.method, route.url) || route.config?.scopes === undefined) return;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    route.schema = { ...schema, response: { ...problemResponses(429), ...(schema.response as object | undefined) } };
  });

  app.addHook('onRequest', async (request) => {
    const { caller } = request;
    if (caller === null || request.method !== 'POST' || !(request.routeOptions.url ?? '').startsWith('/v1/')) return;
    const limit = perMinute.get(caller.name);
    if (limit === undefined) throw new Error(`no rate limit for API key ${caller.name}`);
    await limiter.countWrite({ name: caller.name, perMinute: limit });
  });
}

export default fp(writeRateLimitPlugin, { name: 'write-rate-limit', fastify: '5.x', dependencies: ['auth', 'problems'] });
