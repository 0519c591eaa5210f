// Scratch databases on the bench's Postgres: created fresh and migrated, dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { onCleanup } from './cleanup.ts';
import { ADMIN_URL } from './env.ts';

export function databaseUrl(name: string, admin = ADMIN_URL): string {
  const u = new URL(admin);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<R[]> {
  return withClient(ADMIN_URL, async (c) => (await c.query<R>(text, params)).rows);
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url, application_name: 'erasure-gateway-bench' });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function databaseExists(name: string): Promise<boolean> {
  return (await adminQuery('select 1 from pg_database where datname = $1', [name])).length > 0;
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`drop database if exists ${name} with (force)`);
}

export type ScratchDatabase = { name: string; url: string; drop(): Promise<void> };

/** A fresh database `eg_bench_<label>_<random>`, migrated, dropped at cleanup (or by drop()). */
export async function createScratchDatabase(label: string, options: { migrate?: boolean } = {}): Promise<ScratchDatabase> {
  const name = `eg_bench_${label}_${randomBytes(3).toString('hex')}`;
  await adminQuery(`create database ${name}`);
  const drop = onCleanup(`drop database ${name}`, () => dropDatabase(name));
  const url = databaseUrl(name);
  if (options.migrate !== false) await migrate(url);
  return { name, url, drop };
}

export async function migrate(url: string): Promise<string[]> {
  const database = createDatabase(url, { max: 2, applicationName: 'erasure-gateway-bench' });
  try {
    return await migrateToLatest(database.db);
  } finally {
    await database.close();
  }
}

/** A small pool for the bench's own reads (progress, request logs, EXPLAIN). */
export function openDatabase(url: string, max = 3): Database {
  return createDatabase(url, { max, applicationName: 'erasure-gateway-bench' });
}
