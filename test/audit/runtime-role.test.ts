// Least privilege in the database: migrated by an owner role (MIGRATION_DATABASE_URL), the service's own
// role owns nothing and may only read and append the audit tables — it cannot update, delete or truncate
// an event, nor switch the append-only trigger off. Tables later migrations add get its grants by default.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createDatabase } from '../../src/db/database.ts';
import { APPEND_ONLY_TABLES, grantRuntimePrivileges } from '../../src/db/runtime-grants.ts';
import { createTestDatabase, TEST_OWNER_ROLE, TEST_RUNTIME_ROLE, type TestDatabase } from '../helpers/db.ts';
import { seedRequest } from './fixtures.ts';

const run = promisify(execFile);
const embedded = inject('adminDatabaseUrl') === null;

let t: TestDatabase;
beforeAll(async () => {
  if (!embedded) t = await createTestDatabase({ roles: 'split' });
});
afterAll(async () => {
  await t?.close();
});

// The embedded engine (PGlite) runs as one role: there is nothing to split.
describe.skipIf(embedded)('the runtime role, with MIGRATION_DATABASE_URL', () => {
  it('cannot update, delete or truncate events, nor disable the append-only trigger: permission denied', async () => {
    const { id } = await seedRequest(t.db);
    const rows = await sql<{ n: number }>`select count(*)::int as n from request_event where request_id = ${id}`.execute(t.db);
    expect(rows.rows[0]!.n).toBe(1);
    for (const statement of [
      sql`update request_event set actor = 'someone-else' where request_id = ${id}`,
      sql`delete from request_event where request_id = ${id}`,
      sql`truncate request_event`,
    ]) {
      await expect(statement.execute(t.db)).rejects.toMatchObject({ code: '42501', message: expect.stringContaining('permission denied for table request_event') });
    }
    await expect(sql`alter table request_event disable trigger request_event_no_update_delete`.execute(t.db)).rejects.toMatchObject({
      code: '42501',
      message: expect.stringContaining('must be owner of table request_event'),
    });
    await expect(sql`set session_replication_role = replica`.execute(t.db)).rejects.toMatchObject({ code: '42501' });
    const after = await sql<{ n: number }>`select count(*)::int as n from request_event where request_id = ${id}`.execute(t.db);
    expect(after.rows[0]!.n).toBe(1);
  });

  it('has insert and select only on every audit table, full DML elsewhere, and owns nothing', async () => {
    const { rows } = await sql<{ table_name: string; privileges: string[]; owner: string }>`
      select c.relname as table_name, pg_get_userbyid(c.relowner) as owner,
        array(select p from unnest(array['SELECT','INSERT','UPDATE','DELETE','TRUNCATE']) p where has_table_privilege(${TEST_RUNTIME_ROLE}, c.oid, p)) as privileges
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r' order by 1`.execute(t.admin.db);
    const byTable = Object.fromEntries(rows.map((r) => [r.table_name, r.privileges]));
    for (const table of APPEND_ONLY_TABLES) expect(byTable[table], table).toEqual(['SELECT', 'INSERT']);
    for (const table of ['erasure_request', 'task', 'idempotency_key', 'pacing_permit', 'connection_pacing']) expect(byTable[table], table).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
    expect(byTable.kysely_migration).toEqual(['SELECT']);
    expect(new Set(rows.map((r) => r.owner))).toEqual(new Set([TEST_OWNER_ROLE]));

    for (const table of ['request_evidence', 'audit_checkpoint', 'audit_checkpoint_head']) {
      await expect(sql`delete from ${sql.table(table)}`.execute(t.db)).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('gets the grants on a table a later migration adds, without that migration granting anything', async () => {
    const owner = createDatabase(t.ownerUrl!, { max: 1 });
    try {
      await sql`create table added_later (id int primary key, note text)`.execute(owner.db);
    } finally {
      await owner.close();
    }
    await sql`insert into added_later values (1, 'from the runtime role')`.execute(t.db);
    await sql`update added_later set note = 'changed' where id = 1`.execute(t.db);
    const { rows } = await sql<{ note: string }>`select note from added_later`.execute(t.db);
    expect(rows).toEqual([{ note: 'changed' }]);
  });

  it('npm run migrate with MIGRATION_DATABASE_URL migrates as the owner and grants the runtime role', async () => {
    const adminUrl = inject('adminDatabaseUrl')!;
    const name = `${t.name}_cli`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(`create database ${name} owner ${TEST_OWNER_ROLE}`);
      const url = (user: string) => {
        const u = new URL(adminUrl);
        u.pathname = `/${name}`;
        u.username = user;
        return u.toString();
      };
      const { stdout } = await run('node_modules/.bin/node', ['src/cli/migrate.ts'], {
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: url(TEST_RUNTIME_ROLE), MIGRATION_DATABASE_URL: url(TEST_OWNER_ROLE) },
      });
      expect(stdout).toContain('applied: 20261121T100000_initial');
      const runtime = createDatabase(url(TEST_RUNTIME_ROLE), { max: 1 });
      try {
        await expect(sql`delete from request_event`.execute(runtime.db)).rejects.toMatchObject({ code: '42501' });
        const owners = await sql<{ owner: string }>`select distinct tableowner as owner from pg_tables where schemaname = 'public'`.execute(runtime.db);
        expect(owners.rows).toEqual([{ owner: TEST_OWNER_ROLE }]);
      } finally {
        await runtime.close();
      }
    } finally {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });

  it('refuses to grant when the runtime role owns a table (it could undo every grant)', async () => {
    await sql`create table owned_by_runtime (id int)`.execute(t.admin.db);
    await sql`alter table owned_by_runtime owner to ${sql.id(TEST_RUNTIME_ROLE)}`.execute(t.admin.db);
    const owner = createDatabase(t.ownerUrl!, { max: 1 });
    try {
      await expect(grantRuntimePrivileges(owner.db, TEST_RUNTIME_ROLE)).rejects.toThrow(/owns owned_by_runtime.*REASSIGN OWNED BY/);
    } finally {
      await owner.close();
      await sql`drop table owned_by_runtime`.execute(t.admin.db);
    }
  });
});
