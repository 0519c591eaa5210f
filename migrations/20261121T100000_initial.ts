// Requests, their tasks, the append-only audit trail and idempotency keys.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table erasure_request (
      id uuid primary key,
      external_ref text,
      regulation text not null check (regulation in ('gdpr', 'ccpa', 'other')),
      subject jsonb,
      subject_hashes jsonb,
      callback_url text,
      status text not null default 'pending'
        check (status in ('pending', 'in_progress', 'completed', 'failed', 'cancelled')),
      created_by text not null,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      due_at timestamptz not null,
      completed_at timestamptz,
      cancelled_at timestamptz,
      cancelled_by text,
      subject_purged_at timestamptz,
      task_count integer not null
    )`.execute(db);
  await sql`create index erasure_request_created on erasure_request (created_at desc, id desc)`.execute(db);
  await sql`create index erasure_request_status_created on erasure_request (status, created_at desc, id desc)`.execute(db);
  await sql`create index erasure_request_external_ref on erasure_request (external_ref, created_at desc) where external_ref is not null`.execute(db);
  await sql`create index erasure_request_open_due on erasure_request (due_at) where status in ('pending', 'in_progress', 'failed')`.execute(db);
  await sql`create index erasure_request_purge on erasure_request (completed_at) where subject is not null and completed_at is not null`.execute(db);

  await sql`
    create table task (
      id uuid primary key,
      request_id uuid not null references erasure_request (id),
      seq integer not null,
      type text not null,
      target_index integer,
      connection text,
      locator jsonb not null,
      state text not null default 'pending'
        check (state in ('pending', 'running', 'waiting', 'succeeded', 'not_found', 'failed', 'cancelled')),
      phase text not null default 'start',
      claimed_from text,
      attempts integer not null default 0,
      next_attempt_at timestamptz not null,
      lease_owner text,
      lease_expires_at timestamptz,
      upstream_ref jsonb,
      last_error jsonb,
      created_at timestamptz not null,
      updated_at timestamptz not null,
      first_sent_at timestamptz,
      finished_at timestamptz,
      unique (request_id, seq)
    )`.execute(db);
  // Claims read only due, unfinished tasks; the sweeper reads only expired leases.
  await sql`create index task_due on task (next_attempt_at) where state in ('pending', 'waiting')`.execute(db);
  await sql`create index task_lease on task (lease_expires_at) where state = 'running'`.execute(db);

  await sql`
    create table request_event (
      request_id uuid not null references erasure_request (id),
      seq integer not null,
      at timestamptz not null,
      actor text not null,
      type text not null,
      task_id uuid,
      data jsonb not null,
      prev_hash text not null,
      hash text not null,
      primary key (request_id, seq)
    )`.execute(db);
  // Append-only in the database itself, whatever the code does.
  await sql`
    create function request_event_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'request_event is append-only (% refused)', tg_op using errcode = '42501';
    end $$`.execute(db);
  await sql`
    create trigger request_event_no_update_delete before update or delete on request_event
    for each row execute function request_event_append_only()`.execute(db);
  await sql`
    create trigger request_event_no_truncate before truncate on request_event
    for each statement execute function request_event_append_only()`.execute(db);

  await sql`
    create table idempotency_key (
      api_key_name text not null,
      key text not null,
      body_hash text not null,
      request_id uuid not null references erasure_request (id),
      response_status integer not null,
      response_body jsonb not null,
      created_at timestamptz not null,
      primary key (api_key_name, key)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table idempotency_key, request_event, task, erasure_request cascade`.execute(db);
  await sql`drop function request_event_append_only()`.execute(db);
}
