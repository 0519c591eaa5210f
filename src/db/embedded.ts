// The embedded default: PGlite (Postgres compiled to WASM) persisted under a folder, served over the
// Postgres wire protocol by our own small server (embedded-wire-server.ts, which multiplexes the pg
// Pool's connections onto PGlite's single session safely) so the service uses the very same pg/Kysely
// code path as with a real Postgres.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { EMBEDDED_URL_MARKER } from './database.ts';
import { startWireServer } from './embedded-wire-server.ts';

export type EmbeddedPostgres = {
  url: string;
  close(): Promise<void>;
};

export type EmbeddedOptions = {
  /** Folder for the database files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** Client connections served at once (all share PGlite's one session). Default 32. */
  maxConnections?: number;
  /** TCP port on 127.0.0.1; default a free one. */
  port?: number;
  /** Serve on a Unix socket in this folder (`.s.PGSQL.5432`, as pg and libpq expect) instead of TCP. */
  socketDir?: string;
};

export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir);
  try {
    const server = await startWireServer(pglite, {
      maxConnections: options.maxConnections ?? 32,
      ...(options.socketDir !== undefined ? { path: join(options.socketDir, '.s.PGSQL.5432') } : { host: '127.0.0.1', port: options.port ?? 0 }),
    });
    const address = server.address;
    const url =
      'path' in address
        ? `postgres://postgres@localhost/postgres?host=${encodeURIComponent(options.socketDir!)}&port=5432&${EMBEDDED_URL_MARKER}`
        : `postgres://postgres@${address.host}:${address.port}/postgres?sslmode=disable&${EMBEDDED_URL_MARKER}`;
    return {
      url,
      async close() {
        await server.close();
        await pglite.close();
      },
    };
  } catch (err) {
    await pglite.close();
    throw err;
  }
}
