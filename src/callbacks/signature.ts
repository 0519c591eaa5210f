// Callback signatures: HMAC-SHA256 over `<unix seconds>.<body>` with the configured secret, sent as
// `X-Erasure-Gateway-Signature: v1=<hex>`. The timestamp is signed too, so receivers can refuse replays.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const CALLBACK_HEADERS = {
  timestamp: 'x-erasure-gateway-timestamp',
  signature: 'x-erasure-gateway-signature',
  event: 'x-erasure-gateway-event',
  /** The same for every attempt of one delivery: receivers drop repeats by it. */
  delivery: 'x-erasure-gateway-delivery',
  idempotencyKey: 'idempotency-key',
} as const;

export function callbackSignature(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (and what the tests do): recompute and compare in constant time, and refuse
 * timestamps further than `toleranceSeconds` from now.
 */
export function verifyCallbackSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds || headers.signature === undefined) return false;
  const expected = Buffer.from(callbackSignature(secret, ts, body));
  // A header may carry several `v1=` values while a secret is being rotated.
  return headers.signature.split(',').some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
