import { KOREAI_MESSAGES } from './errors.ts';
import { verifyHs256Jwt } from './jwt-hs256.ts';

export type KoreaiAppCredentials = { clientId: string; clientSecret: string; enforceJti: boolean };
export type AuthOutcome = { ok: true } | { ok: false; msg: string };

/** JTIs already seen by one bot, kept until their token would have expired anyway. */
export type JtiRegistry = { seen(jti: string, nowMs: number): boolean; remember(jti: string, expiresAtMs: number): void };

export function createJtiRegistry(): JtiRegistry {
  const expiries = new Map<string, number>();
  return {
    seen(jti, nowMs) {
      for (const [known, expiresAt] of expiries) if (expiresAt < nowMs) expiries.delete(known);
      return expiries.has(jti);
    },
    remember(jti, expiresAtMs) {
      expiries.set(jti, expiresAtMs);
    },
  };
}

const MAX_ENFORCED_LIFETIME_SECONDS = 3600;

/**
 * Checks the `auth: <JWT>` header the way a Kore.ai JWT app does: HS256 with the client secret, claim
 * `appId` equal to the client id, not expired; with enforced JTI also a fresh `jti` and `exp ≤ iat + 1 h`.
 */
export function checkKoreaiAuth(
  header: string | string[] | undefined,
  app: KoreaiAppCredentials,
  jtis: JtiRegistry,
  nowMs: number,
): AuthOutcome {
  const token = Array.isArray(header) ? header[0] : header;
  if (token === undefined || token.trim() === '') return { ok: false, msg: KOREAI_MESSAGES.missingToken };
  const checked = verifyHs256Jwt(token.trim(), app.clientSecret);
  if (!checked.ok) {
    const msg = {
      malformed: KOREAI_MESSAGES.malformedToken,
      unsupported_algorithm: KOREAI_MESSAGES.unsupportedAlgorithm,
      bad_signature: KOREAI_MESSAGES.badSignature,
    }[checked.reason];
    return { ok: false, msg };
  }
  const { appId, exp, iat, jti } = checked.payload;
  if (appId !== app.clientId) return { ok: false, msg: KOREAI_MESSAGES.wrongApp };
  const nowSeconds = nowMs / 1000;
  if (exp !== undefined && (typeof exp !== 'number' || exp < nowSeconds)) return { ok: false, msg: KOREAI_MESSAGES.expired };
  if (!app.enforceJti) return { ok: true };

  if (typeof jti !== 'string' || jti === '') return { ok: false, msg: KOREAI_MESSAGES.jtiRequired };
  if (typeof exp !== 'number' || typeof iat !== 'number') return { ok: false, msg: KOREAI_MESSAGES.expRequired };
  if (exp - iat > MAX_ENFORCED_LIFETIME_SECONDS) return { ok: false, msg: KOREAI_MESSAGES.expTooFar };
  if (jtis.seen(jti, nowMs)) return { ok: false, msg: KOREAI_MESSAGES.replay };
  jtis.remember(jti, exp * 1000);
  return { ok: true };
}
