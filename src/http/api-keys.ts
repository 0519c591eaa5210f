// Who an API key is. Keys are configured as SHA-256 hashes; a presented key is hashed and compared with
// every configured hash in constant time. The bearer auth plugin (plugins/auth.ts) and the console's
// sign-in (src/console/) both identify keys here, so a key means the same thing to both.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { GatewayConfig } from '../config.ts';
import type { Caller } from '../domain/caller.ts';

/** A configured key: who it is, and its SHA-256 (hex, as configured, and as bytes to compare). */
export type KnownApiKey = Caller & { sha256: string; hash: Buffer };

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** The configured keys, ready to compare against. */
export function knownApiKeys(config: Pick<GatewayConfig, 'file'>): KnownApiKey[] {
  return config.file.apiKeys.map((k) => ({
    name: k.name,
    tenant: k.tenant,
    allTenants: k.allTenants,
    scopes: k.scopes,
    sha256: k.sha256,
    hash: Buffer.from(k.sha256, 'hex'),
  }));
}

/** The configured key a presented key is, or null for an unknown key. */
export function findApiKey(keys: readonly KnownApiKey[], presented: string): KnownApiKey | null {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let found: KnownApiKey | null = null;
  // No early exit: the time taken does not depend on which key (if any) matched.
  for (const key of keys) {
    if (timingSafeEqual(digest, key.hash) && found === null) found = key;
  }
  return found;
}

/** The caller a presented key stands for, or null for an unknown key. */
export function identifyApiKey(keys: readonly KnownApiKey[], presented: string): Caller | null {
  const found = findApiKey(keys, presented);
  return found === null ? null : { name: found.name, tenant: found.tenant, allTenants: found.allTenants, scopes: found.scopes };
}
