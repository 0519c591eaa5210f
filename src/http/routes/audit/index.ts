// Audit trail, its verification, evidence, and the evidence keys. The evidence key is made
// once at start (main.ts: loadEvidenceSigningKey(config)) and passed in.
import type { EvidencePublicJwk, EvidenceSigningKey } from '../../../evidence/signing-key.ts';
import type { ZodApp } from '../../app-deps.ts';
import { getErasureRequestEvidence } from './get-evidence.ts';
import { getJwks } from './jwks.ts';
import { listAuditCheckpoints } from './list-checkpoints.ts';
import { listErasureRequestEvents } from './list-events.ts';
import { verifyErasureRequestEvents } from './verify-events.ts';

export type AuditRouteOptions = {
  evidenceKey: EvidenceSigningKey;
  /** Retired keys still published in the JWKS. */
  previousKeys?: readonly EvidencePublicJwk[];
  /** The evidence's `iss`; default `erasure-gateway`. */
  evidenceIssuer?: string;
};

export async function auditRoutes(app: ZodApp, options: AuditRouteOptions): Promise<void> {
  listErasureRequestEvents(app);
  verifyErasureRequestEvents(app);
  listAuditCheckpoints(app);
  getErasureRequestEvidence(app, { key: options.evidenceKey, ...(options.evidenceIssuer === undefined ? {} : { issuer: options.evidenceIssuer }) });
  getJwks(app, { key: options.evidenceKey, previous: options.previousKeys ?? [] });
}
