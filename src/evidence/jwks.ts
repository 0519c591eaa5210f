// The public half of the evidence key(s), served at /.well-known/jwks.json so auditors verify offline.
import type { EvidencePublicJwk, EvidenceSigningKey } from './signing-key.ts';

export type Jwks = { keys: EvidencePublicJwk[] };

/** The current key first; earlier keys (after a rotation) stay published so old evidence still verifies. */
export function jwksDocument(current: EvidenceSigningKey, previous: readonly EvidencePublicJwk[] = []): Jwks {
  return { keys: [current.publicJwk, ...previous.filter((k) => k.kid !== current.kid)] };
}
