// The exact SQL a repository function sends, without running it: the function runs against a Kysely
// instance whose driver executes nothing (DummyDriver) and whose log records each compiled query.
import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type CompiledQuery } from 'kysely';
import type { DB } from '../../src/db/schema.ts';

export async function captureSql(run: (db: Kysely<DB>) => Promise<unknown>): Promise<CompiledQuery[]> {
  const captured: CompiledQuery[] = [];
  const db = new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
    log: (event) => {
      captured.push(event.query);
    },
  });
  try {
    await run(db);
  } catch {
    // The dummy driver answers no rows; code that needs one stops here, after its first queries.
  }
  await db.destroy();
  return captured;
}

/** Plan text without the parts that vary from run to run (costs, timings, buffers are opt-in by the caller). */
export function planShape(plan: string): string {
  return plan
    .split('\n')
    .map((l) => l.replace(/\s+\(cost=[^)]*\)/g, '').replace(/\s+\(actual[^)]*\)/g, '').trimEnd())
    .filter((l) => l !== '')
    .join('\n');
}
