// The Ed25519 key that signs evidence. Configured as a PEM private key (`evidence.signingKey`); without
// one the gateway makes an ephemeral key at start, which verifies only while that process lives — fine for
// the sandbox, wrong for production (main.ts logs a warning when `ephemeral` is true).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

export type EvidencePublicJwk = {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
};

export type EvidenceSigningKey = {
  privateKey: KeyObject;
  publicJwk: EvidencePublicJwk;
  kid: string;
  /** Generated at start: signatures made with it cannot be verified after a restart or on another replica. */
  ephemeral: boolean;
};

export class SigningKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}

/** RFC 7638 thumbprint of an OKP key: base64url SHA-256 of the required members in lexicographic order. */
export function jwkThumbprint(crv: string, x: string): string {
  return createHash('sha256').update(`{"crv":"${crv}","kty":"OKP","x":"${x}"}`).digest('base64url');
}

function fromPrivateKey(privateKey: KeyObject, keyId: string | undefined, ephemeral: boolean): EvidenceSigningKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`evidence.signingKey: expected an Ed25519 private key, got ${privateKey.asymmetricKeyType ?? 'a symmetric key'}`);
  }
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new SigningKeyError('evidence.signingKey: cannot export the public key');
  const kid = keyId ?? jwkThumbprint('Ed25519', jwk.x);
  return { privateKey, kid, ephemeral, publicJwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' } };
}

/** Parses a PEM (PKCS#8) Ed25519 private key. */
export function signingKeyFromPem(pem: string, keyId?: string): EvidenceSigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    // The PEM itself is a secret: never echo it.
    throw new SigningKeyError('evidence.signingKey: not a PEM private key');
  }
  return fromPrivateKey(key, keyId, false);
}

export function ephemeralSigningKey(keyId?: string): EvidenceSigningKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  return fromPrivateKey(privateKey, keyId, true);
}

/**
 * The evidence key from configuration: `config.secrets.get('evidence.signingKey')` and `evidence.keyId`;
 * an ephemeral key when none is configured.
 */
export function loadEvidenceSigningKey(config: {
  file: { evidence?: { keyId?: string | undefined } | undefined };
  secrets: ReadonlyMap<string, string>;
}): EvidenceSigningKey {
  const pem = config.secrets.get('evidence.signingKey');
  const keyId = config.file.evidence?.keyId;
  return pem === undefined ? ephemeralSigningKey(keyId) : signingKeyFromPem(pem, keyId);
}

/** The public JWK of a PEM key (public, or private: only its public half is kept) under `kid` (default: thumbprint). */
export function publicJwkFromPem(pem: string, keyId: string | undefined, field: string): EvidencePublicJwk {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new SigningKeyError(`${field}: not a PEM key`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${field}: expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'another kind'}`);
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new SigningKeyError(`${field}: cannot export the public key`);
  const kid = keyId ?? jwkThumbprint('Ed25519', jwk.x);
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x, kid, alg: 'EdDSA', use: 'sig' };
}

/**
 * The retired evidence keys still published (`evidence.previousKeys`), so evidence they signed keeps
 * verifying against the JWKS. Public keys are enough (a private one is reduced to its public half).
 */
export function loadPreviousEvidenceKeys(config: {
  file: { evidence?: { previousKeys?: ReadonlyArray<{ keyId?: string | undefined }> | undefined } | undefined };
  secrets: ReadonlyMap<string, string>;
}): EvidencePublicJwk[] {
  return (config.file.evidence?.previousKeys ?? []).map((entry, i) => {
    const field = `evidence.previousKeys.${i}.key`;
    const pem = config.secrets.get(field);
    if (pem === undefined) throw new SigningKeyError(`${field}: not resolved`);
    return publicJwkFromPem(pem, entry.keyId, field);
  });
}
