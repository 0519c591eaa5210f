// Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037). Ed25519 signatures are deterministic, so the
// same header and payload always give the same token: evidence for a final request is byte-stable.
import { sign } from 'node:crypto';
import { canonicalJson } from '../domain/event-chain.ts';
import type { EvidenceSigningKey } from './signing-key.ts';

export const EVIDENCE_JWS_TYPE = 'erasure-evidence+jwt';

export function signCompactJws(key: EvidenceSigningKey, payload: object, typ: string = EVIDENCE_JWS_TYPE): string {
  const header = canonicalJson({ alg: 'EdDSA', kid: key.kid, typ });
  const signingInput = `${Buffer.from(header).toString('base64url')}.${Buffer.from(canonicalJson(payload)).toString('base64url')}`;
  const signature = sign(null, Buffer.from(signingInput), key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}
