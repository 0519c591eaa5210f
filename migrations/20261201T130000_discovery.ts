// Discovery adds the erasure tasks it finds to the request as it finds them: each with a key unique per
// request (locator_key: the type and the record id, e.g. `koreai.recording:<sessionId>`), so a page
// fetched twice — a worker killed after the vendor answered — never adds a task twice; and the discovery
// task that found it (discovered_by), for the tasks view and the evidence. Tasks from the submit have neither.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table task add column locator_key text, add column discovered_by uuid`.execute(db);
  await sql`create unique index task_request_locator_key on task (request_id, locator_key) where locator_key is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists task_request_locator_key`.execute(db);
  await sql`alter table task drop column if exists locator_key, drop column if exists discovered_by`.execute(db);
}
