// The console's one cookie: the session token. HttpOnly (no script reads it), SameSite=Strict (no other
// site's page sends it), Path=/console (the API never receives it), Secure when the request came over
// https (request.protocol honours X-Forwarded-Proto only with http.trustProxy).
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'eg_console_session';
export const CONSOLE_PATH = '/console';

/** The session cookie's value, if the request carries a well-formed one. */
export function sessionCookie(request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    // Tokens are base64url (clock.ts, IdSource.token): anything else was not made here.
    return /^[A-Za-z0-9_-]{20,128}$/.test(value) ? value : null;
  }
  return null;
}

function attributes(request: FastifyRequest, maxAgeSeconds: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `Path=${CONSOLE_PATH}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeSeconds: number): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; ${attributes(request, Math.max(0, Math.floor(maxAgeSeconds)))}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; ${attributes(request, 0)}`);
}
