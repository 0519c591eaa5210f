// Decides once per test run where integration tests get real Postgres:
//   1. DATABASE_URL when set (each test file gets a fresh database on that server);
//   2. a testcontainers Postgres when a Docker engine answers;
//   3. otherwise the embedded engine (each test file starts its own in-memory PGlite).
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of a Postgres server on which test files create their own databases; null = embedded. */
    adminDatabaseUrl: string | null;
    databaseSource: 'DATABASE_URL' | 'testcontainers' | 'embedded';
  }
}

async function dockerReachable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    const client = await Promise.race([
      getContainerRuntimeClient(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000)),
    ]);
    return client !== undefined;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (url !== undefined && url !== '') {
    project.provide('adminDatabaseUrl', url);
    project.provide('databaseSource', 'DATABASE_URL');
    console.log('[test] Postgres: DATABASE_URL (a fresh database per test file)');
    return async () => {};
  }
  if (await dockerReachable()) {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17-alpine').start();
    project.provide('adminDatabaseUrl', container.getConnectionUri());
    project.provide('databaseSource', 'testcontainers');
    console.log('[test] Postgres: testcontainers (a fresh database per test file)');
    return async () => {
      await container.stop();
    };
  }
  project.provide('adminDatabaseUrl', null);
  project.provide('databaseSource', 'embedded');
  console.log('[test] Postgres: embedded PGlite (no DATABASE_URL, no Docker engine)');
  return async () => {};
}
