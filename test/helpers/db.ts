// A fresh, migrated database for one test file, on whichever Postgres the global setup chose.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';

export type TestDatabase = Database & {
  /** The connection string, for child processes (workers) started by the test. */
  url: string;
  source: 'DATABASE_URL' | 'testcontainers' | 'embedded';
};

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Creates a fresh database (migrated), and returns it with a close() that drops it. */
export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const source = inject('databaseSource');
  if (adminUrl === null) {
    const embedded = await startEmbeddedPostgres();
    const database = createDatabase(embedded.url, { max: options.max ?? 8 });
    await migrateToLatest(database.db);
    return {
      ...database,
      source,
      async close() {
        await database.close();
        await embedded.close();
      },
    };
  }
  const name = `eg_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const database = createDatabase(url, { max: options.max ?? 10 });
  await migrateToLatest(database.db);
  return {
    ...database,
    source,
    async close() {
      await database.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try {
        await a.query(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}
