// Re-driven tasks: when an operator retries a failed task, its age limit (worker.maxTaskAgeHours) counts
// from the re-drive, not from its creation — otherwise a task retried after the limit fails at once.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table task add column redriven_at timestamptz`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table task drop column redriven_at`.execute(db);
}
