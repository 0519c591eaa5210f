// POST /console/sign-in — exchanges an API key (form body) for a session: the same key identification
// as the API's bearer auth, then a session row and an HttpOnly cookie. The key is never logged, never
// put in a URL and never written back into the page.
import type { FastifyInstance } from 'fastify';
import { findApiKey, knownApiKeys } from '../../http/api-keys.ts';
import { openConsoleSession } from '../../services/console-sessions.ts';
import { setSessionCookie } from '../cookies.ts';
import { sendPage } from '../render.ts';
import { safeNext } from '../session.ts';
import { signInPage } from '../views/sign-in.ts';
import { NOT_IN_OPENAPI } from './hidden.ts';

/** Any one of these lets a key into the console (reading requests); the pages ask for more where the API does. */
export const CONSOLE_READ_SCOPES = ['audit:read', 'erasure:read'] as const;

export function signInRoute(scope: FastifyInstance): void {
  const { config, database, clock, ids } = scope.deps;
  const keys = knownApiKeys(config);
  const sessionHours = config.file.console.sessionHours;

  scope.post('/sign-in', { config: { consolePublic: true }, schema: NOT_IN_OPENAPI }, async (request, reply) => {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const next = safeNext(body.next);
    const refuse = (status: number, error: string) => sendPage(reply, signInPage({ error, next, sessionHours }), status);
    // Pasted keys often bring a newline along.
    const presented = typeof body.apiKey === 'string' ? body.apiKey.trim() : '';
    if (presented === '') return refuse(400, 'Enter an API key.');
    if (presented.length > 512) return refuse(400, 'That is longer than any API key.');
    const key = findApiKey(keys, presented);
    if (key === null) {
      request.log.info('console sign-in refused: unknown key');
      return refuse(401, 'That API key is not valid.');
    }
    if (!CONSOLE_READ_SCOPES.some((s) => key.scopes.includes(s))) {
      request.log.info({ caller: key.name }, 'console sign-in refused: no read scope');
      return refuse(403, `The key "${key.name}" cannot read requests: the console needs a key with audit:read or erasure:read.`);
    }
    const session = await openConsoleSession({ db: database.db, clock, ids, sessionHours }, { name: key.name, scopes: key.scopes, sha256: key.sha256 });
    request.log.info({ caller: key.name, expiresAt: session.expiresAt.toISOString() }, 'console session opened');
    setSessionCookie(request, reply, session.token, (session.expiresAt.getTime() - clock.now().getTime()) / 1000);
    return reply.redirect(next ?? '/console/', 303);
  });
}
