// GET /.well-known/jwks.json — the public keys that verify evidence and checkpoints: the current one and
// the retired ones still configured (evidence.previousKeys). Public: auditors need no API key.
import { jwksDocument } from '../../../evidence/jwks.ts';
import type { EvidencePublicJwk, EvidenceSigningKey } from '../../../evidence/signing-key.ts';
import type { ZodApp } from '../../app-deps.ts';
import { jwksSchema } from './schemas.ts';

export function getJwks(app: ZodApp, options: { key: EvidenceSigningKey; previous: readonly EvidencePublicJwk[] }): void {
  const document = jwksDocument(options.key, options.previous);
  app.route({
    method: 'GET',
    url: '/.well-known/jwks.json',
    schema: {
      operationId: 'getJwks',
      tags: ['audit'],
      summary: 'Public keys that verify evidence (JWKS)',
      response: { 200: jwksSchema },
    },
    handler: async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return document;
    },
  });
}
