// The console_session table: console sign-ins, looked up by the hash of their token.
import type { Kysely } from 'kysely';
import type { ConsoleSessionRow, DB } from './schema.ts';

export async function insertConsoleSession(db: Kysely<DB>, row: ConsoleSessionRow): Promise<void> {
  await db.insertInto('console_session').values(row).execute();
}

/** The session with this token hash, expired or not (the caller decides, on its clock). */
export async function findConsoleSession(db: Kysely<DB>, tokenHash: string): Promise<ConsoleSessionRow | undefined> {
  return db.selectFrom('console_session').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function deleteConsoleSession(db: Kysely<DB>, tokenHash: string): Promise<void> {
  await db.deleteFrom('console_session').where('token_hash', '=', tokenHash).execute();
}

/** Deletes sessions that expired at or before `now` (index console_session_expires); returns how many. */
export async function deleteExpiredConsoleSessions(db: Kysely<DB>, now: Date): Promise<number> {
  const result = await db.deleteFrom('console_session').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
