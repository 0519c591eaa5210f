// Resolves the console session of each request from its cookie, and guards what needs one:
//   - a page without a live session redirects to sign-in (`next` brings the person back);
//   - every POST must come from this origin (Origin / Sec-Fetch-Site), sign-in included (login CSRF);
//   - every POST made in a session carries the session's CSRF token (forms put it in `_csrf`): checked
//     here for every console form but sign-in, before its handler runs (requireCsrf), 403 otherwise.
// A session counts only while its key is still configured with the same hash; its scopes are those it
// had at sign-in and still has now.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Scope } from '../config.ts';
import { problem } from '../domain/errors.ts';
import { knownApiKeys } from '../http/api-keys.ts';
import { consoleCsrfToken, resumeConsoleSession, type ConsoleIdentity } from '../services/console-sessions.ts';
import { clearSessionCookie, CONSOLE_PATH, sessionCookie } from './cookies.ts';

export type ActiveConsoleSession = {
  identity: ConsoleIdentity;
  /** The value forms send back as `_csrf`. */
  csrf: string;
  token: string;
  expiresAt: Date;
};

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on console routes when the request carries a live session. */
    consoleSession: ActiveConsoleSession | null;
  }
  interface FastifyContextConfig {
    /** A console route anyone may reach (sign-in, assets). */
    consolePublic?: boolean;
    /** A public route that never needs to know the session (assets): no session lookup. */
    consoleSessionless?: boolean;
  }
}

export const SIGN_IN_PATH = `${CONSOLE_PATH}/sign-in`;

/** Where to come back to after sign-in: only a console path of this origin (never `//host`, never a scheme). */
export function safeNext(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > 2000) return null;
  if (!value.startsWith(`${CONSOLE_PATH}/`) || value.startsWith(`${SIGN_IN_PATH}`)) return null;
  return /^[A-Za-z0-9\-._~/?=&%+:]*$/.test(value) && !value.includes('//') ? value : null;
}

function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  // Browsers send Origin with every POST; a client without one is no browser a forged form could drive.
  if (origin === undefined) return true;
  return origin === `${request.protocol}://${request.host}`;
}

export function registerConsoleSessions(scope: FastifyInstance): void {
  const { config, database, clock } = scope.deps;
  const keys = knownApiKeys(config);
  scope.decorateRequest('consoleSession', null);

  scope.addHook('onRequest', async (request, reply) => {
    if (request.method === 'POST' && !sameOrigin(request)) {
      throw problem('forbidden', 'This form was sent from another site; open the console and send it from there.');
    }
    if (request.routeOptions.config.consoleSessionless === true) return;
    const token = sessionCookie(request);
    if (token !== null) {
      const session = await resumeConsoleSession({ db: database.db, clock }, token);
      const key = session === null ? undefined : keys.find((k) => k.name === session.key.name && k.sha256 === session.key.sha256);
      if (session !== null && key !== undefined) {
        const scopes: Scope[] = session.key.scopes.filter((s) => key.scopes.includes(s));
        const identity: ConsoleIdentity = { name: key.name, tenant: key.tenant, allTenants: key.allTenants, scopes };
        request.consoleSession = { identity, csrf: consoleCsrfToken(token), token, expiresAt: session.expiresAt };
        // The access log names the caller, as for the API.
        request.caller = identity;
      } else {
        clearSessionCookie(request, reply);
      }
    }
    if (request.consoleSession === null && request.routeOptions.config.consolePublic !== true) {
      const next = request.method === 'GET' ? safeNext(request.url) : null;
      return reply.redirect(next === null ? SIGN_IN_PATH : `${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`, 303);
    }
  });

  // After the body is parsed: a form without this session's token changes nothing.
  scope.addHook('preHandler', async (request) => {
    if (request.method !== 'POST' || request.routeOptions.config.consolePublic === true) return;
    requireCsrf(sessionOf(request), (request.body as Record<string, unknown> | undefined)?._csrf);
  });
}

/** The session of a route that requires one (the hook above has redirected otherwise). */
export function sessionOf(request: FastifyRequest): ActiveConsoleSession {
  if (request.consoleSession === null) throw new Error('sessionOf() on a console route without a session');
  return request.consoleSession;
}

export function hasScope(session: ActiveConsoleSession, scope: Scope): boolean {
  return session.identity.scopes.includes(scope);
}

/** Refuses a form that does not carry this session's CSRF token. */
export function requireCsrf(session: ActiveConsoleSession, sent: unknown): void {
  const expected = Buffer.from(session.csrf);
  const given = Buffer.from(typeof sent === 'string' ? sent : '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw problem('forbidden', 'The form has expired or did not come from this console session; reload the page and try again.');
  }
}

