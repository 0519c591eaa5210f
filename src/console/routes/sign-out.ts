// POST /console/sign-out — ends the session (its row is deleted) and clears the cookie (the session's
// CSRF token checked first, as for every console form: session.ts).
import type { FastifyInstance } from 'fastify';
import { closeConsoleSession } from '../../services/console-sessions.ts';
import { clearSessionCookie } from '../cookies.ts';
import { sessionOf, SIGN_IN_PATH } from '../session.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export function signOutRoute(scope: FastifyInstance): void {
  scope.post('/sign-out', { schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const session = sessionOf(request);
    await closeConsoleSession({ db: scope.deps.database.db }, session.token);
    request.log.info({ caller: session.identity.name }, 'console session closed');
    clearSessionCookie(request, reply);
    return reply.redirect(SIGN_IN_PATH, 303);
  });
}
