// The pg Pool and the Kysely instance over it. The same code serves real Postgres and the embedded
// engine (PGlite behind our wire server, src/db/embedded-wire-server.ts).
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

export type Database = {
  db: Kysely<DB>;
  pool: pg.Pool;
  url: string;
  /**
   * Whether statements may be prepared under a name (kept per connection by the server). False on the
   * embedded engine, whose client connections share one backend session: a name prepared by one would
   * already exist for the others (42P05).
   */
  namedStatements: boolean;
  close(): Promise<void>;
};

// int8 (counts) as numbers: every count we read fits well within 2^53.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20) return (v: string) => Number.parseInt(v, 10);
    return pg.types.getTypeParser(oid, format);
  },
};

export type DatabaseOptions = {
  /** Pool size; the embedded engine serialises everything anyway, so keep it small there. */
  max?: number;
  applicationName?: string;
  /** Called when an idle client errors (e.g. the server restarted); the pool drops the client. */
  onIdleError?: (err: Error) => void;
  /**
   * The connections share one backend session (the embedded engine): no named prepared statements.
   * Default: whether the URL is one the embedded engine handed out (it carries EMBEDDED_URL_MARKER).
   */
  sharedSession?: boolean;
};

/**
 * A query parameter the embedded engine puts in the URLs it hands out (db/embedded.ts), so a process given
 * such a URL in DATABASE_URL (a worker or API started by a test) knows what it is talking to. pg ignores it.
 */
export const EMBEDDED_URL_MARKER = 'engine=pglite';

function isEmbeddedUrl(url: string): boolean {
  const query = url.split('?')[1] ?? '';
  return query.split('&').includes(EMBEDDED_URL_MARKER);
}

export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'erasure-gateway',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    types,
  });
  pool.on('error', (err) => options.onIdleError?.(err));
  // A client checked out of the pool (a transaction between statements, a query) can lose its
  // connection too — Postgres restarting, a failover. The pool listens for errors only on idle clients:
  // without this listener the client's 'error' event would crash the process. The statement in flight
  // (or the next one) fails on its own, and the pool drops the broken client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  let closed = false;
  return {
    db,
    pool,
    url,
    namedStatements: !(options.sharedSession ?? isEmbeddedUrl(url)),
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

/** A round trip to the database (readiness checks). */
export async function pingDatabase(db: Kysely<DB>): Promise<void> {
  await sql`select 1`.execute(db);
}
