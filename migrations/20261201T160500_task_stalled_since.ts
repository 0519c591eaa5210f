// The watchdog (worker/watchdog.ts, rule in domain/watchdog.ts) marks an open task past its expected wait:
// task.stalled_since, set once by the pass that first sees it (its UPDATE … WHERE stalled_since IS NULL
// decides which replica logs it), cleared by the pass when the task is back within a wait.
// - The trigger clears it whenever the task finishes or is reopened (finished_at changes): settling,
//   cancelling, failing an abandoned task, a re-drive and any operator action to come clear it without
//   knowing of the watchdog.
// - task_stalled: the few stalled tasks, for ?stalled=true, the stalled-tasks gauge and the pass itself.
// - task_open_age: open tasks by connection, state and age, for the oldest-open-task gauge and the pass's
//   look at tasks old enough to be past a vendor wait.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table task add column stalled_since timestamptz`.execute(db);
  await sql`create index task_stalled on task (request_id) include (connection, type) where stalled_since is not null`.execute(db);
  await sql`create index task_open_age on task (connection, state, created_at) where state in ('pending', 'running', 'waiting')`.execute(db);
  await sql`
    create function task_clear_stalled() returns trigger language plpgsql as $$
    begin
      if new.stalled_since is not null and new.finished_at is distinct from old.finished_at then
        new.stalled_since := null;
      end if;
      return new;
    end $$`.execute(db);
  await sql`
    create trigger task_clear_stalled before update of finished_at on task
    for each row execute function task_clear_stalled()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists task_clear_stalled on task`.execute(db);
  await sql`drop function if exists task_clear_stalled()`.execute(db);
  await sql`drop index if exists task_open_age`.execute(db);
  await sql`drop index if exists task_stalled`.execute(db);
  await sql`alter table task drop column stalled_since`.execute(db);
}
