// Two privacy portals (tenants portal-a and portal-b) and compliance auditors on one gateway, as a new
// user configures them: each portal's keys, a key of portal-a for each single scope, an auditor key that
// reads every tenant, and an all-tenants key that also holds erasure:write (to show reads across
// tenants never widen writes).
import { parseConfigFile, parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import { sha256Hex } from '../../src/http/plugins/auth.ts';
import { TEST_SECRETS_ENV, testConfigFile } from '../http/harness.ts';

export const TENANT_A = 'portal-a';
export const TENANT_B = 'portal-b';

export const TENANT_KEYS = {
  /** portal-a, every scope. */
  a: 'egk_tenant_a_admin_0123456789abcdef',
  /** portal-a, a second key (e.g. after a rotation). */
  a2: 'egk_tenant_a_second_0123456789abcd',
  aWriteOnly: 'egk_tenant_a_write_only_0123456789',
  aReadOnly: 'egk_tenant_a_read_only_01234567890',
  /** portal-b, every scope. */
  b: 'egk_tenant_b_admin_0123456789abcdef',
  /** Compliance auditors: audit:read on every tenant. */
  auditor: 'egk_auditors_all_tenants_012345678',
  /** Every scope, allTenants: reads everything, writes only its own tenant (ops-team). */
  allTenantsWriter: 'egk_ops_all_tenants_writer_0123456',
} as const;

const EVERY_SCOPE = ['erasure:write', 'erasure:read', 'audit:read', 'erasure:operate'];

export function tenantsConfigFile(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return testConfigFile({
    apiKeys: [
      { name: 'portal-a-admin', sha256: sha256Hex(TENANT_KEYS.a), scopes: EVERY_SCOPE, tenant: TENANT_A },
      { name: 'portal-a-2026', sha256: sha256Hex(TENANT_KEYS.a2), scopes: EVERY_SCOPE, tenant: TENANT_A },
      { name: 'portal-a-writer', sha256: sha256Hex(TENANT_KEYS.aWriteOnly), scopes: ['erasure:write'], tenant: TENANT_A },
      { name: 'portal-a-reader', sha256: sha256Hex(TENANT_KEYS.aReadOnly), scopes: ['erasure:read'], tenant: TENANT_A },
      // No `tenant`: the default, the key's own name.
      { name: TENANT_B, sha256: sha256Hex(TENANT_KEYS.b), scopes: EVERY_SCOPE },
      { name: 'auditors', sha256: sha256Hex(TENANT_KEYS.auditor), scopes: ['audit:read'], allTenants: true },
      { name: 'ops-team', sha256: sha256Hex(TENANT_KEYS.allTenantsWriter), scopes: EVERY_SCOPE, allTenants: true },
    ],
    ...overrides,
  });
}

/** The tenants' config, parsed; `extraKeys` join the keys above (a test's own), `logLevel` for tests that read the logs. */
export function tenantsConfig(overrides: Record<string, unknown> = {}, { extraKeys = [], logLevel = 'silent' }: { extraKeys?: object[]; logLevel?: string } = {}): GatewayConfig {
  if (extraKeys.length > 0) overrides = { ...overrides, apiKeys: [...(tenantsConfigFile().apiKeys as object[]), ...extraKeys] };
  const { file, secrets } = parseConfigFile(tenantsConfigFile(overrides), TEST_SECRETS_ENV, () => {
    throw new Error('no files in tests');
  });
  return { env: parseEnvironment({ LOG_LEVEL: logLevel }), sandbox: false, file, secrets };
}
