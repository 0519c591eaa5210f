// Kore.ai JWT, minted fresh for every call: {appId, sub, iat, exp ≤ iat+3600, jti}. A unique jti and a
// short exp satisfy apps that enforce JTI and cost nothing for apps that do not. node:crypto only.
import { createHmac, createSign } from 'node:crypto';

export type KoreaiJwtAlgorithm = 'HS256' | 'HS512' | 'RS256' | 'RS512';

export type KoreaiJwtOptions = {
  algorithm: KoreaiJwtAlgorithm;
  clientId: string;
  /** Client secret (HS*) or PEM private key (RS*). */
  key: string;
  sub?: string;
  /** Token lifetime; Kore.ai accepts at most one hour. */
  ttlSeconds?: number;
};

const b64url = (input: Buffer | string) => Buffer.from(input).toString('base64url');

export function mintKoreaiJwt(options: KoreaiJwtOptions, now: Date, jti: string): string {
  const iat = Math.floor(now.getTime() / 1000);
  const ttl = Math.min(options.ttlSeconds ?? 300, 3600);
  const header = { alg: options.algorithm, typ: 'JWT' };
  const payload = { appId: options.clientId, sub: options.sub ?? 'erasure-gateway', iat, exp: iat + ttl, jti };
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const hash = options.algorithm.endsWith('512') ? 'sha512' : 'sha256';
  const signature = options.algorithm.startsWith('HS')
    ? createHmac(hash, options.key).update(signingInput).digest()
    : createSign(hash === 'sha512' ? 'RSA-SHA512' : 'RSA-SHA256').update(signingInput).sign(options.key);
  return `${signingInput}.${b64url(signature)}`;
}
