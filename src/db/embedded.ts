// The embedded default: PGlite (Postgres compiled to WASM) persisted under a folder, served over the
// Postgres wire protocol by pglite-socket so the service uses the very same pg/Kysely code path.
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export type EmbeddedPostgres = {
  url: string;
  close(): Promise<void>;
};

export type EmbeddedOptions = {
  /** Folder for the database files; omit for an in-memory database (tests). */
  dataDir?: string;
  /** Connections the socket server multiplexes onto the single PGlite session. */
  maxConnections?: number;
};

export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedPostgres> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({
    db: pglite,
    host: '127.0.0.1',
    port: 0,
    maxConnections: options.maxConnections ?? 32,
  });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  return {
    url,
    async close() {
      await server.stop();
      await pglite.close();
    },
  };
}
