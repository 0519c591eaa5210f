// What an API key may do. Defined here (not in config.ts) because the caller's identity — who is asking
// and what they may do — is a contract every layer reads (domain/caller.ts).

/** `erasure:operate`: the operator actions (skip, resolve by hand, extend a deadline, bulk re-drive). */
export const SCOPES = ['erasure:write', 'erasure:read', 'audit:read', 'erasure:operate'] as const;
export type Scope = (typeof SCOPES)[number];
