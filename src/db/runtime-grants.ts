// Least privilege in the database. With MIGRATION_DATABASE_URL set, migrations run as that (owner) role
// and the service's own role (DATABASE_URL) gets only what it needs: it owns nothing, so it cannot
// disable the append-only triggers or alter a table; on the audit tables it may read and append, never
// update, delete or truncate. Applied after every migration run (idempotent), and by default privileges
// for tables later migrations add, so no migration has to remember it.
import { sql, type Kysely } from 'kysely';

/**
 * Tables the runtime role may only read and append to. A migration that adds an append-only table adds
 * it here too (the default privileges would otherwise let the runtime role update and delete it).
 */
export const APPEND_ONLY_TABLES: readonly string[] = ['request_event', 'request_evidence', 'audit_checkpoint', 'audit_checkpoint_head'];

/** The migrator's own tables: the runtime role reads them (readiness: are migrations pending?) and never writes. */
const MIGRATOR_TABLES: readonly string[] = ['kysely_migration', 'kysely_migration_lock'];

export class RuntimeRoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeRoleError';
  }
}

/** The role a connection acts as. */
export async function currentRole(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ role: string }>`select current_user as role`.execute(db);
  return rows[0]!.role;
}

/**
 * Grants `runtimeRole` what the service needs on the schema `ownerDb` (connected as the owner) just
 * migrated. Refuses when the runtime role owns a table (it could then undo any of this).
 */
export async function grantRuntimePrivileges(ownerDb: Kysely<any>, runtimeRole: string): Promise<void> {
  const owned = await sql<{ tablename: string }>`
    select tablename from pg_tables where schemaname = 'public' and tableowner = ${runtimeRole} order by tablename`.execute(ownerDb);
  if (owned.rows.length > 0) {
    throw new RuntimeRoleError(
      `the runtime role ${runtimeRole} owns ${owned.rows.map((r) => r.tablename).join(', ')}: it could disable the append-only triggers. ` +
        `As a superuser, run REASSIGN OWNED BY ${runtimeRole} TO <the owner role> once, then migrate again`,
    );
  }
  const role = sql.id(runtimeRole);
  await ownerDb.transaction().execute(async (trx) => {
    await sql`grant usage on schema public to ${role}`.execute(trx);
    await sql`grant select, insert, update, delete on all tables in schema public to ${role}`.execute(trx);
    await sql`grant usage, select on all sequences in schema public to ${role}`.execute(trx);
    // Tables and sequences the owner creates later get the same, without each migration saying so.
    await sql`alter default privileges in schema public grant select, insert, update, delete on tables to ${role}`.execute(trx);
    await sql`alter default privileges in schema public grant usage, select on sequences to ${role}`.execute(trx);
    await sql`revoke truncate, references, trigger on all tables in schema public from ${role}`.execute(trx);
    for (const table of APPEND_ONLY_TABLES) {
      await sql`revoke update, delete on ${sql.table(table)} from ${role}`.execute(trx);
    }
    for (const table of MIGRATOR_TABLES) {
      await sql`revoke insert, update, delete on ${sql.table(table)} from ${role}`.execute(trx);
    }
  });
}
