// Tenants: every request belongs to the tenant of the API key that submitted it, and idempotency keys
// are scoped per tenant (two keys of one tenant share them; two tenants never do). Existing rows belong
// to the default tenant of their key — the key's own name (`created_by`, `api_key_name`); a key
// configured with another `tenant` sees them once they are moved (README, "Tenants").
//
// Lists of one tenant read indexes that start with the tenant, in list order (created_at, id): all of
// them, by status, and the open ones (overdue). A page then costs the same however many requests other
// tenants have: EXPLAIN ANALYZE on 300,000 requests in three tenants, every list of a 10 % tenant under
// 1 ms; without the status and open ones, its status and overdue lists took 18-45 ms (the planner read
// the global index and sorted). An externalRef is selective enough for the global index with the tenant
// as a filter (0.1 ms), so it gets no tenant index: every index is paid for by every submit. The global
// list indexes stay for auditors with `allTenants`. The unfinished-requests index serves the open-task
// quota as an index-only sum of task_count.
// Frozen once applied: change the schema with a new timestamp-prefixed migration.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table erasure_request add column tenant text`.execute(db);
  await sql`update erasure_request set tenant = created_by`.execute(db);
  await sql`alter table erasure_request alter column tenant set not null`.execute(db);
  await sql`create index erasure_request_tenant_created on erasure_request (tenant, created_at desc, id desc)`.execute(db);
  await sql`create index erasure_request_tenant_status_created on erasure_request (tenant, status, created_at desc, id desc)`.execute(db);
  await sql`create index erasure_request_tenant_open_created on erasure_request (tenant, created_at desc, id desc, due_at) where status in ('pending', 'in_progress', 'failed')`.execute(db);
  await sql`create index erasure_request_tenant_unfinished on erasure_request (tenant) include (task_count) where completed_at is null`.execute(db);

  await sql`alter table idempotency_key add column tenant text`.execute(db);
  await sql`update idempotency_key set tenant = api_key_name`.execute(db);
  await sql`alter table idempotency_key alter column tenant set not null`.execute(db);
  // Same constraint name: intake recognises a race on a key by it (sql/submit-request.ts).
  await sql`alter table idempotency_key drop constraint idempotency_key_pkey`.execute(db);
  await sql`alter table idempotency_key add constraint idempotency_key_pkey primary key (tenant, key)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table idempotency_key drop constraint idempotency_key_pkey`.execute(db);
  await sql`alter table idempotency_key add constraint idempotency_key_pkey primary key (api_key_name, key)`.execute(db);
  await sql`alter table idempotency_key drop column tenant`.execute(db);
  for (const index of ['tenant_unfinished', 'tenant_open_created', 'tenant_status_created', 'tenant_created']) {
    await sql.raw(`drop index if exists erasure_request_${index}`).execute(db);
  }
  await sql`alter table erasure_request drop column tenant`.execute(db);
}
