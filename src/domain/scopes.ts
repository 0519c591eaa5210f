// What an API key may do. Defined here (not in config.ts) because the caller's identity — who is asking
// and what they may do — is a contract every layer reads (domain/caller.ts).
//   - erasure:write: submit, cancel and retry requests, check connections (the API);
//   - erasure:read: read requests and their tasks;
//   - audit:read: read the trail, its verification and the evidence;
//   - erasure:operate: the operator actions — skip, resolve by hand, extend a deadline, bulk re-drive (API),
//     and the console's operator forms — always on the key's own tenant only, like every write.

export const SCOPES = ['erasure:write', 'erasure:read', 'audit:read', 'erasure:operate'] as const;
export type Scope = (typeof SCOPES)[number];
