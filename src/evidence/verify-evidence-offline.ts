// What an auditor runs with nothing but two files: the evidence (the JSON `{jws, kid, payload}` GET
// …/evidence answers, or the bare JWS) and the JWKS (/.well-known/jwks.json, saved). It checks the JOSE
// header, finds the key by kid, verifies the Ed25519 signature and the payload's shape, and says valid —
// or names what is wrong. No database, no network (`npm run verify-evidence -- evidence.json jwks.json`).
import { createPublicKey, verify, type JsonWebKeyInput } from 'node:crypto';
import { canonicalJson } from '../domain/event-chain.ts';
import { EVIDENCE_SCHEMA, type EvidencePayload } from './evidence-document.ts';
import { EVIDENCE_JWS_TYPE } from './jws.ts';

export type OfflineVerdict =
  | { valid: true; kid: string; payload: EvidencePayload }
  | { valid: false; problem: string };

const invalid = (problem: string): OfflineVerdict => ({ valid: false, problem });
const B64URL = /^[A-Za-z0-9_-]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX64 = /^[0-9a-f]{64}$/;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The compact JWS from either file form, and the decoded payload shown beside it (JSON form), if any. */
function readEvidence(text: string): { jws: string; beside: unknown } | string {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return { jws: trimmed, beside: undefined };
  const doc = parseJson(trimmed);
  if (!isObject(doc)) return 'the evidence file is neither a compact JWS nor JSON';
  if (typeof doc.jws !== 'string') return 'the evidence JSON has no "jws" string (save the answer of GET …/evidence, or the bare JWS with Accept: application/jose)';
  return { jws: doc.jws.trim(), beside: doc.payload };
}

export function verifyEvidenceOffline(evidenceText: string, jwksText: string): OfflineVerdict {
  const evidence = readEvidence(evidenceText);
  if (typeof evidence === 'string') return invalid(evidence);
  const parts = evidence.jws.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return invalid('not a compact JWS (three base64url parts separated by dots)');
  const [h, p, s] = parts as [string, string, string];
  const header = parseJson(Buffer.from(h, 'base64url').toString('utf8'));
  if (!isObject(header)) return invalid('the JWS header is not JSON');
  if (header.alg !== 'EdDSA') return invalid(`the JWS header says alg ${JSON.stringify(header.alg)}, evidence is signed with EdDSA`);
  if (header.typ !== EVIDENCE_JWS_TYPE) return invalid(`the JWS header says typ ${JSON.stringify(header.typ)}, not ${EVIDENCE_JWS_TYPE}: not erasure evidence`);
  if (typeof header.kid !== 'string') return invalid('the JWS header has no kid');

  const jwks = parseJson(jwksText);
  if (!isObject(jwks) || !Array.isArray(jwks.keys)) return invalid('the JWKS file is not a JSON Web Key Set ({"keys": [...]})');
  const jwk = jwks.keys.find((k): k is Record<string, unknown> => isObject(k) && k.kid === header.kid);
  if (jwk === undefined) {
    const kids = jwks.keys.filter(isObject).map((k) => String(k.kid));
    return invalid(`no key with kid ${JSON.stringify(header.kid)} in the JWKS (it has ${kids.length === 0 ? 'none' : kids.map((k) => JSON.stringify(k)).join(', ')}): a JWKS of another gateway, or the key was retired without evidence.previousKeys`);
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') return invalid(`the key ${header.kid} is not an Ed25519 public key`);
  let key;
  try {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' } as JsonWebKeyInput);
  } catch {
    return invalid(`the key ${header.kid} cannot be read`);
  }
  if (!verify(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'))) {
    return invalid(`the signature does not verify with key ${header.kid}: the evidence was changed after signing, or signed by another key with this kid`);
  }

  const payload = parseJson(Buffer.from(p, 'base64url').toString('utf8'));
  if (!isObject(payload)) return invalid('the signed payload is not JSON');
  if (payload.schema !== EVIDENCE_SCHEMA) return invalid(`the payload's schema is ${JSON.stringify(payload.schema)}, not ${EVIDENCE_SCHEMA}`);
  const request = payload.request;
  const chain = payload.chain;
  if (typeof payload.sub !== 'string' || !UUID.test(payload.sub) || !isObject(request) || request.id !== payload.sub) return invalid('the payload does not name its request (sub and request.id)');
  if (!isObject(chain) || typeof chain.headHash !== 'string' || !HEX64.test(chain.headHash) || typeof chain.throughSeq !== 'number') {
    return invalid('the payload has no audit chain head (chain.throughSeq, chain.headHash)');
  }
  if (evidence.beside !== undefined && canonicalJson(evidence.beside) !== canonicalJson(payload)) {
    return invalid('the "payload" shown beside the jws is not what was signed: trust only the jws');
  }
  return { valid: true, kid: header.kid, payload: payload as EvidencePayload };
}

/** One line per fact, for the CLI. */
export function describeEvidence(v: Extract<OfflineVerdict, { valid: true }>): string[] {
  const p = v.payload;
  return [
    `valid: signature by key ${v.kid}`,
    `request ${p.sub}: ${p.request.status}${p.final ? '' : ' (provisional: the request was not final when this was signed)'}, completed ${p.request.completedAt ?? '-'}`,
    `tasks: ${p.summary.tasks} (${Object.entries(p.summary.byState).map(([state, n]) => `${state} ${n}`).join(', ')})`,
    `audit chain: events 1..${p.chain.throughSeq}, head ${p.chain.headHash}`,
    ...(p.jti === undefined ? [] : [`evidence ${p.jti}${p.supersedes === null ? '' : `, superseding ${p.supersedes}`}`]),
  ];
}
