// The OpenAPI 3.1 document, generated from the routes' zod schemas; interactive docs at /docs and the
// raw document at /openapi.json.
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { PROBLEM_TYPE_BASE } from '../../domain/errors.ts';
import { BEARER_SCHEME } from './auth.ts';

export const API_VERSION = '1.0.0';

const DESCRIPTION = `Submit a data subject's erasure request; the gateway fans it out to the deletion APIs of
Kore.ai and Cartesia, drives every piece of work to a final state and shows the outcome with evidence.

Every request belongs to the tenant of the API key that submitted it; a key sees and changes its own
tenant's requests only (another tenant's is a 404), and a key with \`allTenants\` reads every tenant's.
Every POST under /v1 counts against its key's writes a minute (429 \`rate-limited\` with \`Retry-After\`).

Errors are RFC 9457 \`application/problem+json\`; \`type\` is a stable URI under \`${PROBLEM_TYPE_BASE}\`.`;

type OpenApiDocument = { components?: { schemas?: Record<string, unknown> } } & Record<string, unknown>;

/**
 * The zod provider emits every registered schema twice (input `XInput` and output `X`). Keep only the
 * components something refers to, and drop the `Input` suffix where no output twin is kept.
 */
export function tidyComponents(document: OpenApiDocument): OpenApiDocument {
  const schemas = document.components?.schemas;
  if (schemas === undefined) return document;
  const refsIn = (value: unknown): string[] => {
    const found: string[] = [];
    JSON.stringify(value, (key, v: unknown) => {
      if (key === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')) found.push(v.slice('#/components/schemas/'.length));
      return v;
    });
    return found;
  };
  const { components, ...rest } = document;
  const keep = new Set<string>();
  const queue = refsIn(rest);
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (keep.has(name) || !(name in schemas)) continue;
    keep.add(name);
    queue.push(...refsIn(schemas[name]));
  }
  const rename = new Map<string, string>();
  for (const name of keep) {
    const plain = name.endsWith('Input') ? name.slice(0, -'Input'.length) : name;
    rename.set(name, plain !== name && keep.has(plain) ? name : plain);
  }
  const kept = Object.fromEntries([...keep].sort().map((name) => [rename.get(name) as string, schemas[name]]));
  const text = JSON.stringify({ ...rest, components: { ...components, schemas: kept } }).replace(
    /"#\/components\/schemas\/([^"]+)"/g,
    (_m, name: string) => JSON.stringify(`#/components/schemas/${rename.get(name) ?? name}`),
  );
  return JSON.parse(text) as OpenApiDocument;
}

async function openapiPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Erasure gateway', version: API_VERSION, description: DESCRIPTION },
      // Relative: the document is served by the gateway it describes, wherever that is.
      servers: [{ url: '/', description: 'The gateway serving this document' }],
      components: {
        securitySchemes: {
          [BEARER_SCHEME]: { type: 'http', scheme: 'bearer', description: 'An API key from the gateway configuration' },
        },
      },
      tags: [
        { name: 'erasure-requests', description: 'Submit and follow erasure requests; cancel and re-drive them' },
        {
          name: 'operator-actions',
          description: 'Scope `erasure:operate`: skip a task, resolve it by hand, extend a deadline, re-drive failed tasks in bulk',
        },
        { name: 'audit', description: 'Audit trail, its verification, signed evidence of erasure and the keys that verify it' },
        { name: 'operations', description: 'Health, readiness and metrics' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) =>
      tidyComponents(jsonSchemaTransformObject(document) as OpenApiDocument) as ReturnType<typeof jsonSchemaTransformObject>,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}

export default fp(openapiPlugin, { name: 'openapi', fastify: '5.x' });
