// Who is asking, and which requests that lets them see. Every request belongs to one tenant (the tenant
// of the API key that submitted it). The rule, in one place:
//   - reads see the caller's own tenant, or every tenant for a key with `allTenants` (auditors);
//   - writes (cancel, retry, and every operator action) touch the caller's own tenant only, whatever
//     `allTenants` says: a read-across key never widens what a key may change;
//   - another tenant's request is answered exactly as a request that does not exist (404), so its
//     existence does not leak.
// The db/ functions that read a request for an API caller take a TenantScope; those that change one take
// the tenant itself (a string), so a write cannot be handed the all-tenants scope by mistake.
import type { Scope } from './scopes.ts';

/** The API key a request authenticated with. */
export type Caller = {
  /** The key's name: the actor in the audit trail (`api-key:<name>`) and the rate limit's bucket. */
  name: string;
  /** The tenant its requests belong to (default: the key's name). */
  tenant: string;
  /** May read every tenant's requests (compliance auditors). Never widens writes. */
  allTenants: boolean;
  scopes: readonly Scope[];
};

/** Which tenants' requests a read may return. */
export type TenantScope = { readonly kind: 'tenant'; readonly tenant: string } | { readonly kind: 'all' };

/**
 * Every tenant. For reads by an `allTenants` key (through readScopeOf), and for the gateway's own work
 * (callback bodies, the subject purge, the chain-verify CLI), never for an API write.
 */
export const ALL_TENANTS: TenantScope = { kind: 'all' };

export function tenantScope(tenant: string): TenantScope {
  return { kind: 'tenant', tenant };
}

/** What a caller may read. */
export function readScopeOf(caller: Caller): TenantScope {
  return caller.allTenants ? ALL_TENANTS : tenantScope(caller.tenant);
}

/** The only tenant a caller may change: its own. */
export function writeTenantOf(caller: Caller): string {
  return caller.tenant;
}

/** `api-key:<name>`, as the audit trail names the caller. */
export function actorOf(caller: Pick<Caller, 'name'>): string {
  return `api-key:${caller.name}`;
}

/**
 * Who a resource is rendered for: an API caller, or the gateway itself (a callback body is the request
 * as its owner sees it).
 */
export type Viewer = { readonly kind: 'caller'; readonly caller: Caller } | { readonly kind: 'owner' };

export const AS_OWNER: Viewer = { kind: 'owner' };

export function viewerOf(caller: Caller): Viewer {
  return { kind: 'caller', caller };
}

/** Callback URLs (they may carry the owner's token) are shown to the owning tenant's keys only. */
export function seesCallbackUrl(viewer: Viewer, ownerTenant: string): boolean {
  return viewer.kind === 'owner' || viewer.caller.tenant === ownerTenant;
}
