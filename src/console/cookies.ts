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

/** The result of an operator action, shown once on the request's page after the redirect (post/redirect/get). */
export type ConsoleNotice = { requestId: string; tone: 'ok' | 'alert'; text: string };

export const NOTICE_COOKIE = 'eg_console_notice';
const NOTICE_SECONDS = 60;

export function setNoticeCookie(request: FastifyRequest, reply: FastifyReply, notice: ConsoleNotice): void {
  const value = Buffer.from(JSON.stringify(notice)).toString('base64url');
  reply.header('set-cookie', `${NOTICE_COOKIE}=${value}; ${attributes(request, NOTICE_SECONDS)}`);
}

/**
 * The notice for this request, if the request carries one (then cleared). Only ever text the console
 * wrote; a notice a person forged in their own browser shows only to them, escaped like every value.
 */
export function takeNoticeCookie(request: FastifyRequest, reply: FastifyReply, requestId: string): ConsoleNotice | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  const part = header.split(';').map((p) => p.trim()).find((p) => p.startsWith(`${NOTICE_COOKIE}=`));
  if (part === undefined) return null;
  reply.header('set-cookie', `${NOTICE_COOKIE}=; ${attributes(request, 0)}`);
  try {
    const notice = JSON.parse(Buffer.from(part.slice(NOTICE_COOKIE.length + 1), 'base64url').toString('utf8')) as Partial<ConsoleNotice>;
    if (notice.requestId !== requestId || typeof notice.text !== 'string') return null;
    return { requestId, tone: notice.tone === 'alert' ? 'alert' : 'ok', text: notice.text.slice(0, 500) };
  } catch {
    return null;
  }
}
