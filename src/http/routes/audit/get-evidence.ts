// GET /v1/erasure-requests/{id}/evidence — the signed evidence of erasure. JSON `{jws, kid, payload}` by
// default; `Accept: application/jose` gives the bare compact JWS. For a final request it is the evidence
// signed and stored when it became final, the same bytes every time, whatever key signs now.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { issueEvidence } from '../../../evidence/issue-evidence.ts';
import type { EvidenceSigningKey } from '../../../evidence/signing-key.ts';
import { readScopeOf } from '../../../domain/caller.ts';
import { problem } from '../../../domain/errors.ts';
import { subjectHashKey } from '../../../services/submit-request.ts';
import { requestNotFound } from '../../../services/request-access.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { requestIdParams } from '../../schemas/common.ts';
import { problemResponse, problemResponses } from '../../schemas/problem.ts';
import { negotiate } from '../../negotiate.ts';
import { evidenceSchema } from './schemas.ts';

export const JOSE_MEDIA_TYPE = 'application/jose';

export function getErasureRequestEvidence(app: ZodApp, options: { key: EvidenceSigningKey; issuer?: string }): void {
  app.route({
    method: 'GET',
    url: '/v1/erasure-requests/:id/evidence',
    config: { scopes: ['audit:read'] },
    schema: {
      operationId: 'getErasureRequestEvidence',
      tags: ['audit'],
      summary: 'Get the signed evidence of erasure',
      description:
        'A compact JWS (EdDSA over Ed25519, header `typ: erasure-evidence+jwt`) of a document stating what was erased where and when, ' +
        'with the upstream references, the subject\'s keyed hashes and the audit chain head. Verify it offline against `/.well-known/jwks.json`. ' +
        'Answered as JSON `{jws, kid, payload}`, or as the bare JWS with `Accept: application/jose`. ' +
        'For a final request (`final: true`) it is the evidence signed and stored when the request became final: the same bytes every time, ' +
        'after key rotations too (the JWKS keeps retired keys). A re-drive that reopened the request gives its next final evidence a `supersedes`. ' +
        'For a request still in progress it is a provisional document (`final: false`), signed at each fetch and not kept. ' +
        'A chain that does not verify (links, stored head or checkpoints) gets no evidence: 409.',
      params: requestIdParams,
      response: {
        200: {
          description: 'The evidence: JSON `{jws, kid, payload}`, or with `Accept: application/jose` the bare compact JWS',
          content: {
            'application/json': { schema: evidenceSchema },
            [JOSE_MEDIA_TYPE]: { schema: z.string().describe('Compact JWS: base64url(header).base64url(payload).base64url(signature)') },
          },
        },
        409: problemResponse('The audit chain does not verify: no evidence is issued'),
        ...problemResponses(404, 503),
      },
    },
    handler: async (request, reply) => {
      const { database, clock } = app.deps;
      const result = await issueEvidence(database.db, request.params.id, {
        scope: readScopeOf(callerOf(request)),
        key: options.key,
        now: clock.now(),
        hashKey: subjectHashKey(app.deps.config),
        ids: app.deps.ids,
        ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
      });
      if (result.kind === 'not_found') throw requestNotFound(request.params.id);
      if (result.kind === 'chain_broken') {
        throw problem(
          'audit-chain-broken',
          `The audit chain of this request does not verify (first broken link: event ${result.brokenAt.seq}, ${result.brokenAt.reason}); no evidence is issued.`,
        );
      }
      reply.header('vary', 'accept');
      if (negotiate(request.headers.accept, ['application/json', JOSE_MEDIA_TYPE]) === JOSE_MEDIA_TYPE) {
        const raw: FastifyReply = reply;
        return raw.type(JOSE_MEDIA_TYPE).send(result.jws);
      }
      // The kid of the key that signed it: evidence stored before a key rotation keeps its old kid.
      return { jws: result.jws, kid: result.kid, payload: result.payload };
    },
  });
}
