// GET /console/sign-in — the sign-in form (or, already signed in, on to the overview).
import type { FastifyInstance } from 'fastify';
import { sendPage } from '../render.ts';
import { safeNext } from '../session.ts';
import { signInPage } from '../views/sign-in.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

export function signInPageRoute(scope: FastifyInstance): void {
  scope.get('/sign-in', { config: { consolePublic: true }, schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown>).next);
    if (request.consoleSession !== null) return reply.redirect(next ?? '/console/', 303);
    return sendPage(reply, signInPage({ next, sessionHours: scope.deps.config.file.console.sessionHours }));
  });
}
