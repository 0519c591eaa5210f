// Console sign-in: an API key, already identified by the caller, exchanged for a session kept in Postgres.
// The browser holds the token (an HttpOnly cookie); the database holds only its SHA-256, so a copy of
// the table opens no session. Sessions end at sign-out or after console.sessionHours, whichever is first,
// and as soon as their key is no longer configured (checked by the caller against the configuration).
import { createHash, createHmac } from 'node:crypto';
import type { Caller } from '../domain/caller.ts';
import type { Kysely } from 'kysely';
import type { Clock, IdSource } from '../clock.ts';
import { SCOPES, type Scope } from '../config.ts';
import { deleteConsoleSession, deleteExpiredConsoleSessions, findConsoleSession, insertConsoleSession } from '../db/console-sessions.ts';
import type { DB } from '../db/schema.ts';

/**
 * Who a session acts as: the API key's name and scopes. Part 2 adds the key's tenant here, so every read
 * the console makes carries the same tenant rules as the API.
 */
/**
 * Who a console session acts as: the API caller of its key (domain/caller.ts), with the key's tenant as
 * configured now, so the tenant rules apply to the console unchanged.
 */
export type ConsoleIdentity = Caller;

/** The key a session was opened with: its name, configured hash and scopes at sign-in. */
export type ConsoleSessionKey = { name: string; scopes: readonly Scope[]; sha256: string };

export type ConsoleSession = { key: ConsoleSessionKey; expiresAt: Date };

export type ConsoleSessionDeps = { db: Kysely<DB>; clock: Clock; ids: IdSource; sessionHours: number };

const HOUR_MS = 3_600_000;

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Opens a session for an identified key; returns the token to hand to the browser, once. */
export async function openConsoleSession(deps: ConsoleSessionDeps, key: ConsoleSessionKey): Promise<{ token: string; expiresAt: Date }> {
  const now = deps.clock.now();
  // Sign-ins are rare: cleaning up here keeps the table to the sessions of the last sessionHours.
  await deleteExpiredConsoleSessions(deps.db, now);
  const token = deps.ids.token();
  const expiresAt = new Date(now.getTime() + deps.sessionHours * HOUR_MS);
  await insertConsoleSession(deps.db, {
    token_hash: tokenHash(token),
    key_name: key.name,
    key_sha256: key.sha256,
    scopes: [...key.scopes],
    created_at: now,
    expires_at: expiresAt,
  });
  return { token, expiresAt };
}

/** The live session a token stands for; null when unknown or expired (an expired one is deleted). */
export async function resumeConsoleSession(deps: Pick<ConsoleSessionDeps, 'db' | 'clock'>, token: string): Promise<ConsoleSession | null> {
  const hash = tokenHash(token);
  const row = await findConsoleSession(deps.db, hash);
  if (row === undefined) return null;
  if (row.expires_at.getTime() <= deps.clock.now().getTime()) {
    await deleteConsoleSession(deps.db, hash);
    return null;
  }
  const scopes = row.scopes.filter((s): s is Scope => (SCOPES as readonly string[]).includes(s));
  return { key: { name: row.key_name, sha256: row.key_sha256, scopes }, expiresAt: row.expires_at };
}

export async function closeConsoleSession(deps: Pick<ConsoleSessionDeps, 'db'>, token: string): Promise<void> {
  await deleteConsoleSession(deps.db, tokenHash(token));
}

/**
 * The CSRF token of a session: derived from its token (HMAC), so it is bound to that session, needs no
 * storage, and cannot be computed by a page that cannot read the HttpOnly cookie.
 */
export function consoleCsrfToken(token: string): string {
  return createHmac('sha256', token).update('erasure-gateway console csrf v1').digest('base64url');
}
