import { describe, expect, it } from 'vitest';
import { ALL_TENANTS, AS_OWNER, readScopeOf, seesCallbackUrl, tenantScope, viewerOf, writeTenantOf, type Caller } from './caller.ts';

const portal: Caller = { name: 'portal-a-2026', tenant: 'portal-a', allTenants: false, scopes: ['erasure:write', 'erasure:read'] };
const auditor: Caller = { name: 'auditors', tenant: 'auditors', allTenants: true, scopes: ['audit:read', 'erasure:write'] };

describe('the tenant rule', () => {
  it('reads the own tenant, or every tenant with allTenants', () => {
    expect(readScopeOf(portal)).toEqual(tenantScope('portal-a'));
    expect(readScopeOf(auditor)).toEqual(ALL_TENANTS);
  });

  it('writes only the own tenant, allTenants or not', () => {
    expect(writeTenantOf(portal)).toBe('portal-a');
    expect(writeTenantOf(auditor)).toBe('auditors');
  });

  it('shows callback URLs to the owning tenant (and the gateway itself) only', () => {
    expect(seesCallbackUrl(viewerOf(portal), 'portal-a')).toBe(true);
    expect(seesCallbackUrl(viewerOf(portal), 'portal-b')).toBe(false);
    expect(seesCallbackUrl(viewerOf(auditor), 'portal-a')).toBe(false);
    expect(seesCallbackUrl(AS_OWNER, 'portal-a')).toBe(true);
  });
});
