// Bearer API keys, identified by ../api-keys.ts (hashed, compared in constant time). A route states what
// it needs with `config: { scopes: [...] }` (any one of them suffices); this plugin also documents that in
// the OpenAPI operation — and declares every other documented operation public (`security: []`). The
// caller it sets names the key's tenant: which requests it may see and change is the services' business
// (services/request-access.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Caller } from '../../domain/caller.ts';
import { problem } from '../../domain/errors.ts';
import { identifyApiKey, knownApiKeys } from '../api-keys.ts';
import { problemResponses } from '../schemas/problem.ts';

export const BEARER_SCHEME = 'bearerAuth';
const REALM = 'erasure-gateway';

export { sha256Hex } from '../api-keys.ts';

function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer +([\x21-\x7e]{1,512}) *$/i.exec(header);
  return match?.[1] ?? null;
}

/** The authenticated caller of a route that requires a scope. */
export function callerOf(request: FastifyRequest): Caller {
  if (request.caller === null) throw new Error('callerOf() on a route without scopes');
  return request.caller;
}

async function authPlugin(app: FastifyInstance): Promise<void> {
  const keys = knownApiKeys(app.deps.config);
  app.decorateRequest('caller', null);

  app.addHook('onRoute', (route) => {
    const scopes = route.config?.scopes;
    if (scopes === undefined) {
      // A documented public operation says so: no security requirement at all.
      const schema = route.schema as Record<string, unknown> | undefined;
      if (schema !== undefined && schema.hide !== true) route.schema = { ...schema, security: [] };
      return;
    }
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const needs = `Requires an API key with scope ${scopes.map((s) => `\`${s}\``).join(' or ')}.`;
    route.schema = {
      ...schema,
      description: schema.description === undefined ? needs : `${String(schema.description)}\n\n${needs}`,
      security: [{ [BEARER_SCHEME]: [] }],
      response: { ...problemResponses(401, 403), ...(schema.response as object | undefined) },
    };
  });

  app.addHook('onRequest', async (request) => {
    const needed = request.routeOptions.config.scopes;
    if (needed === undefined) return;
    const token = bearerToken(request);
    if (token === null) {
      throw problem('unauthorized', 'Send an API key as "Authorization: Bearer <key>".', {
        headers: { 'www-authenticate': `Bearer realm="${REALM}"` },
      });
    }
    const caller = identifyApiKey(keys, token);
    if (caller === null) {
      throw problem('unauthorized', 'The API key is not valid.', {
        headers: { 'www-authenticate': `Bearer realm="${REALM}", error="invalid_token"` },
      });
    }
    if (!needed.some((s) => caller.scopes.includes(s))) {
      throw problem('forbidden', `The API key "${caller.name}" lacks the scope this operation needs: ${needed.join(' or ')}.`, {
        headers: { 'www-authenticate': `Bearer realm="${REALM}", error="insufficient_scope", scope="${needed.join(' ')}"` },
      });
    }
    request.caller = caller;
  });
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['problems'] });
