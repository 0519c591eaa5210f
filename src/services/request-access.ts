// How an API caller reaches one request by its id — every route that takes a request id goes through
// here (or hands the caller's scope to the one query it makes), so the tenant rule of domain/caller.ts is
// applied the same way everywhere:
//   - a read finds the request only within readScopeOf(caller): the caller's tenant, or every tenant for
//     an `allTenants` key;
//   - a change locks the request only within the caller's own tenant (writeTenantOf), even for an
//     `allTenants` key;
//   - otherwise the answer is requestNotFound(id): the same 404 `not-found` as for an id that does not
//     exist, so a caller cannot tell another tenant's request from no request.
import type { Kysely } from 'kysely';
import { readScopeOf, tenantScope, writeTenantOf, type Caller } from '../domain/caller.ts';
import { problem, type ProblemError } from '../domain/errors.ts';
import { findRequestTenant, lockRequestOfTenant } from '../db/requests.ts';
import type { DB } from '../db/schema.ts';

/** The one answer for a request that does not exist and for one the caller may not see. */
export function requestNotFound(id: string): ProblemError {
  return problem('not-found', `No erasure request with id ${id}.`);
}

/** The tenant of a request the caller may read; requestNotFound otherwise. */
export async function readableRequestTenant(db: Kysely<DB>, caller: Caller, id: string): Promise<string> {
  const tenant = await findRequestTenant(db, id, readScopeOf(caller));
  if (tenant === undefined) throw requestNotFound(id);
  return tenant;
}

/**
 * That the caller may change this request (its own tenant's, even for an `allTenants` key); requestNotFound
 * otherwise. For a step before the change (the console's confirmation page); the change itself locks
 * with lockRequestForChange.
 */
export async function requireChangeableRequest(db: Kysely<DB>, caller: Caller, id: string): Promise<void> {
  if ((await findRequestTenant(db, id, tenantScope(writeTenantOf(caller)))) === undefined) throw requestNotFound(id);
}

/**
 * In the caller's transaction: locks a request the caller may change (its own tenant's), serialising
 * its status and audit chain; requestNotFound otherwise (the transaction then rolls back, unchanged).
 */
export async function lockRequestForChange(trx: Kysely<DB>, caller: Caller, id: string): Promise<void> {
  if (!(await lockRequestOfTenant(trx, id, writeTenantOf(caller)))) throw requestNotFound(id);
}
