// A fresh, migrated database for one test file, on whichever Postgres the global setup chose.
//
// With TEST_DB_ROLES=split (or `createTestDatabase({ roles: 'split' })`), the database is owned by an
// owner role that runs the migrations and grants a runtime role only what the service needs, as
// MIGRATION_DATABASE_URL does in production; the test (and any process it starts) connects as the runtime
// role. `admin` is always a superuser connection, for what only an attacker with the keys to the server
// does (turning triggers off, deleting events) and for pg_dump.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrateAsOwner, migrateToLatest } from '../../src/db/migrate.ts';

export type TestDatabase = Database & {
  /** The connection string, for child processes (workers) started by the test. */
  url: string;
  source: 'DATABASE_URL' | 'testcontainers' | 'embedded';
  /** A superuser on the same database (the same connection as `db` unless roles are split). */
  admin: Database;
  /** The owner role's connection string (MIGRATION_DATABASE_URL), when roles are split; else null. */
  ownerUrl: string | null;
  /** The database's name on the server (null on the embedded engine). */
  name: string | null;
};

export type TestRoles = 'single' | 'split';

/** The roles of split-role test databases: cluster-wide, made once, owning nothing but their databases. */
export const TEST_OWNER_ROLE = 'eg_test_owner';
export const TEST_RUNTIME_ROLE = 'eg_test_runtime';

function withDatabase(url: string, name: string, user?: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  if (user !== undefined) {
    u.username = user;
    u.password = '';
  }
  return u.toString();
}

export function testRoles(): TestRoles {
  return process.env.TEST_DB_ROLES === 'split' ? 'split' : 'single';
}

async function onAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** Creates the two login roles if missing (concurrent test files may race: a duplicate is fine). */
async function ensureRoles(c: pg.Client): Promise<void> {
  for (const role of [TEST_OWNER_ROLE, TEST_RUNTIME_ROLE]) {
    await c.query(`do $$ begin create role ${role} login nosuperuser nocreatedb nocreaterole; exception when duplicate_object then null; end $$`);
  }
}

/** Creates a fresh database (migrated), and returns it with a close() that drops it. */
export async function createTestDatabase(options: { max?: number; roles?: TestRoles } = {}): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const source = inject('databaseSource');
  if (adminUrl === null) {
    const embedded = await startEmbeddedPostgres();
    const database = createDatabase(embedded.url, { max: options.max ?? 8 });
    await migrateToLatest(database.db);
    return {
      ...database,
      source,
      admin: database,
      ownerUrl: null,
      name: null,
      async close() {
        await database.close();
        await embedded.close();
      },
    };
  }
  const roles = options.roles ?? testRoles();
  const name = `eg_test_${randomBytes(6).toString('hex')}`;
  await onAdmin(adminUrl, async (c) => {
    if (roles === 'split') {
      await ensureRoles(c);
      await c.query(`create database ${name} owner ${TEST_OWNER_ROLE}`);
    } else {
      await c.query(`create database ${name}`);
    }
  });
  const superuserUrl = withDatabase(adminUrl, name);
  const ownerUrl = roles === 'split' ? withDatabase(adminUrl, name, TEST_OWNER_ROLE) : null;
  const url = roles === 'split' ? withDatabase(adminUrl, name, TEST_RUNTIME_ROLE) : superuserUrl;
  const database = createDatabase(url, { max: options.max ?? 10 });
  if (ownerUrl === null) await migrateToLatest(database.db);
  else await migrateAsOwner(ownerUrl, url);
  const admin = roles === 'split' ? createDatabase(superuserUrl, { max: 2 }) : database;
  return {
    ...database,
    source,
    admin,
    ownerUrl,
    name,
    async close() {
      await database.close();
      if (admin !== database) await admin.close();
      await onAdmin(adminUrl, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}
