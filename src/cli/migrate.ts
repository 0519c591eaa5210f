// npm run migrate: applies pending migrations to DATABASE_URL (or the embedded database under DATA_DIR)
// and exits. With MIGRATION_DATABASE_URL set, it migrates as that owner role and grants the role of
// DATABASE_URL only what the service needs (src/db/runtime-grants.ts). Safe to run from several places
// at once: the migrator holds an advisory lock.
import { join } from 'node:path';
import { ConfigError, parseEnvironment } from '../config.ts';
import { createDatabase } from '../db/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded.ts';
import { migrateAsOwner, migrateToLatest } from '../db/migrate.ts';

let env;
try {
  env = parseEnvironment(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}

let embedded: EmbeddedPostgres | null = null;
let url = env.DATABASE_URL;
if (url === undefined) {
  const dataDir = join(env.DATA_DIR, 'pglite');
  process.stdout.write(`No DATABASE_URL: migrating the embedded Postgres under ${dataDir}\n`);
  embedded = await startEmbeddedPostgres({ dataDir });
  url = embedded.url;
}
const database = createDatabase(url, { max: 1 });
const ownerUrl = embedded === null ? env.MIGRATION_DATABASE_URL : undefined;
let code = 0;
try {
  const applied = ownerUrl === undefined ? await migrateToLatest(database.db) : await migrateAsOwner(ownerUrl, url);
  process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'schema up to date\n');
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  code = 1;
} finally {
  await database.close();
  await embedded?.close();
}
process.exit(code);
