// What an API key may do. Defined here (not in config.ts) because the caller's identity — who is asking
// and what they may do — is a contract every layer reads (domain/caller.ts).

export const SCOPES = ['erasure:write', 'erasure:read', 'audit:read'] as const;
export type Scope = (typeof SCOPES)[number];
