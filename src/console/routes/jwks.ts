// GET /console/jwks.json — the public keys that verify evidence (as /.well-known/jwks.json), as a file to
// keep beside the evidence.
import type { FastifyInstance } from 'fastify';
import { jwksDocument } from '../../evidence/jwks.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export function jwksRoute(scope: FastifyInstance): void {
  const body = JSON.stringify(jwksDocument(scope.deps.evidenceKey), null, 2);
  scope.get('/jwks.json', { schema: NOT_IN_OPENAPI }, async (_request, reply) =>
    reply.type('application/json').header('content-disposition', 'attachment; filename="jwks.json"').send(body),
  );
}
