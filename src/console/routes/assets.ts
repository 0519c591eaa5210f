// GET /console/assets/<file> — the stylesheet and the evidence check script, read once at start and
// served from memory. Public: they hold nothing about any request.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { problem } from '../../domain/errors.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

const ASSETS: Record<string, string> = {
  'console.css': 'text/css; charset=utf-8',
  'verify-evidence.mjs': 'text/javascript; charset=utf-8',
};

export function assetsRoute(scope: FastifyInstance): void {
  const files = new Map(
    Object.entries(ASSETS).map(([name, type]) => {
      const body = readFileSync(new URL(`../assets/${name}`, import.meta.url));
      return [name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }] as const;
    }),
  );
  scope.get('/assets/:file', { config: { consolePublic: true, consoleSessionless: true }, schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const file = files.get((request.params as { file: string }).file);
    if (file === undefined) throw problem('not-found', 'No such console asset.');
    reply.header('cache-control', 'public, max-age=300').header('etag', file.etag);
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.type(file.type).send(file.body);
  });
}
