// A database connection lost while a transaction holds it (Postgres restarting, a failover, an admin
// terminating the backend) must fail that transaction with an error the API answers as 503 — and
// nothing else: the process carries on and the next query gets a fresh connection. (Found by the
// Postgres-restart fault test: the API process died of an unhandled 'error' event on a checked-out client.)
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { isDatabaseUnavailable } from '../../src/http/database-unavailable.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { startPrivatePostgres, type PrivatePostgres } from './helpers/private-postgres.ts';

let database: Database | null = null;
let privatePostgres: PrivatePostgres | null = null;

beforeAll(async () => {
  // The test server when there is one; else a private real Postgres when installed.
  if (inject('adminDatabaseUrl') !== null) database = await createTestDatabase({ max: 4 });
  else {
    privatePostgres = await startPrivatePostgres();
    if (privatePostgres.kind === 'postgres') database = createDatabase(privatePostgres.url, { max: 4 });
  }
}, 60_000);
afterAll(async () => {
  await database?.close();
  await privatePostgres?.close();
});

describe('a connection lost in the middle of a transaction', () => {
  it('fails that transaction as "database unavailable"; no uncaught error; the pool serves the next query', async (ctx) => {
    if (database === null) {
      ctx.skip('needs a real Postgres (pg_terminate_backend): the embedded engine has one session and no backends to terminate');
      return;
    }
    const db = database.db;
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const outcome = await db
        .transaction()
        .execute(async (trx) => {
          const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
          // Another connection ends this one while the transaction holds it between statements.
          await sql`select pg_terminate_backend(${rows[0]!.pid})`.execute(db);
          await new Promise((r) => setTimeout(r, 300));
          await sql`select 1`.execute(trx);
          return 'committed';
        })
        .catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(outcome), String(outcome)).toBe(true);
      await new Promise((r) => setTimeout(r, 100));
      expect(uncaught.map(String)).toEqual([]);
      const { rows } = await sql<{ ok: number }>`select 1 as ok`.execute(db);
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
