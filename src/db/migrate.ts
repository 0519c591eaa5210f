// Applies the timestamp-named migrations in migrations/. Kysely's migrator takes a transaction-scoped
// advisory lock, so replicas starting together apply each migration once.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileMigrationProvider, Migrator, type Kysely, type MigrationResult } from 'kysely';
import { createDatabase } from './database.ts';
import { currentRole, grantRuntimePrivileges } from './runtime-grants.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
}

export class MigrationError extends Error {
  readonly results: MigrationResult[];
  constructor(cause: unknown, results: MigrationResult[]) {
    super(`migration failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationError';
    this.results = results;
  }
}

/** Applies every pending migration; returns the names applied now. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results = [] } = await migrator(db).migrateToLatest();
  if (error !== undefined) throw new MigrationError(error, results);
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Whether every migration on disk is applied (for /readyz). */
export async function migrationsPending(db: Kysely<any>): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/**
 * Migrates as the owner role (`ownerUrl`, MIGRATION_DATABASE_URL) and grants the service's role
 * (`runtimeUrl`, DATABASE_URL) only what it needs (db/runtime-grants.ts). With both URLs naming one role
 * it is a plain migration. Returns the names applied now.
 */
export async function migrateAsOwner(ownerUrl: string, runtimeUrl: string): Promise<string[]> {
  const owner = createDatabase(ownerUrl, { max: 1, applicationName: 'erasure-gateway-migrate' });
  const runtime = createDatabase(runtimeUrl, { max: 1, applicationName: 'erasure-gateway-migrate' });
  try {
    const [ownerRole, runtimeRole] = await Promise.all([currentRole(owner.db), currentRole(runtime.db)]);
    const applied = await migrateToLatest(owner.db);
    if (runtimeRole !== ownerRole) await grantRuntimePrivileges(owner.db, runtimeRole);
    return applied;
  } finally {
    await Promise.all([owner.close(), runtime.close()]);
  }
}
