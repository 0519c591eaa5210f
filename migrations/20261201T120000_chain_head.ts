// The head of every request's audit chain, stored with the request: the sequence number and hash of its
// last event, advanced by the database in the statement that appends events (so in the same transaction,
// whatever code appends them). Verification compares the chain with it: a deleted tail, a deleted first
// event or a deleted whole chain no longer verifies as a shorter valid chain.
// Also a generic append-only guard for the audit tables added after request_event.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table erasure_request
      add column chain_seq integer not null default 0,
      add column chain_head text not null default ${sql.lit('0'.repeat(64))}`.execute(db);
  await sql`
    update erasure_request r set chain_seq = h.seq, chain_head = h.hash
    from (select distinct on (request_id) request_id, seq, hash from request_event order by request_id, seq desc) h
    where r.id = h.request_id`.execute(db);
  // One UPDATE per appending statement (a settle batch appends many events to many requests at once).
  // The head only moves forward.
  await sql`
    create function request_event_advance_head() returns trigger language plpgsql as $$
    begin
      update erasure_request r set chain_seq = h.seq, chain_head = h.hash
      from (select distinct on (request_id) request_id, seq, hash from appended order by request_id, seq desc) h
      where r.id = h.request_id and h.seq > r.chain_seq;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger request_event_advance_head after insert on request_event
    referencing new table as appended
    for each statement execute function request_event_advance_head()`.execute(db);

  await sql`
    create function audit_append_only() returns trigger language plpgsql as $$
    begin
      raise exception '% is append-only (% refused)', tg_table_name, tg_op using errcode = '42501';
    end $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists request_event_advance_head on request_event`.execute(db);
  await sql`drop function if exists request_event_advance_head()`.execute(db);
  await sql`drop function if exists audit_append_only()`.execute(db);
  await sql`alter table erasure_request drop column chain_seq, drop column chain_head`.execute(db);
}
