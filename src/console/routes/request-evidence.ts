// GET /console/requests/:id/evidence.jws — "Download evidence": the compact JWS the API's evidence route
// answers (audit:read, as there), as a file.
import type { FastifyInstance } from 'fastify';
import { readScopeOf } from '../../domain/caller.ts';
import { problem } from '../../domain/errors.ts';
import { issueEvidence } from '../../evidence/issue-evidence.ts';
import { subjectHashKey } from '../../services/submit-request.ts';
import { JOSE_MEDIA_TYPE } from '../../http/routes/audit/get-evidence.ts';
import { hasScope, sessionOf } from '../session.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';
import { requestIdOf } from '../request-id.ts';

export function requestEvidenceRoute(scope: FastifyInstance): void {
  scope.get('/requests/:id/evidence.jws', { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const session = sessionOf(request);
    if (!hasScope(session, 'audit:read')) {
      throw problem('forbidden', `The key "${session.identity.name}" lacks the scope evidence needs: audit:read.`);
    }
    const id = requestIdOf(request.params);
    const { database, clock, evidenceKey } = scope.deps;
    const result = await issueEvidence(database.db, id, { key: evidenceKey, now: clock.now(), hashKey: subjectHashKey(scope.deps.config), ids: scope.deps.ids, scope: readScopeOf(session.identity) });
    if (result.kind === 'not_found') throw problem('not-found', `No erasure request with id ${id}.`);
    if (result.kind === 'chain_broken') {
      throw problem('audit-chain-broken', `The audit chain of this request does not verify (first broken link: event ${result.brokenAt.seq}); no evidence is issued.`);
    }
    return reply
      .type(JOSE_MEDIA_TYPE)
      .header('content-disposition', `attachment; filename="evidence-${id}.jws"`)
      .send(result.jws);
  });
}
