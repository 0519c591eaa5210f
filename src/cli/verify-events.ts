// Verifies audit chains offline: `node src/cli/verify-events.ts <requestId>|--all`.
// Uses DATABASE_URL, or the embedded database under DATA_DIR/pglite (only while the service is stopped: the
// embedded engine has one owner). Exit code 0 = valid, 1 = a broken chain (the first broken link is
// printed), 2 = usage or unknown request.
import { join } from 'node:path';
import { parseEnvironment } from '../config.ts';
import { runVerifyEvents, VERIFY_EVENTS_USAGE } from '../audit/verify-events-command.ts';
import { createDatabase } from '../db/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded.ts';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // Before opening anything: a usage error must not create an embedded database under DATA_DIR.
  if (args.length !== 1) {
    console.error(VERIFY_EVENTS_USAGE);
    return 2;
  }
  const env = parseEnvironment(process.env);
  let embedded: EmbeddedPostgres | undefined;
  let url = env.DATABASE_URL;
  if (url === undefined) {
    // The same place main.ts and the migrate command keep it.
    embedded = await startEmbeddedPostgres({ dataDir: join(env.DATA_DIR, 'pglite'), maxConnections: 2 });
    url = embedded.url;
  }
  const database = createDatabase(url, { max: 2, applicationName: 'erasure-gateway-verify-events' });
  try {
    return await runVerifyEvents(args, database.db, (l) => console.log(l), (l) => console.error(l));
  } finally {
    await database.close();
    await embedded?.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
  },
);
