import type { FastifyReply } from 'fastify';

/** Kore.ai's error shape: `{"errors":[{"msg": string, "code": number}]}`. */
export type KoreaiErrorBody = { errors: { msg: string; code: number }[] };

export function koreaiErrorBody(msg: string, code: number): KoreaiErrorBody {
  return { errors: [{ msg, code }] };
}

export type RateLimitShape = 'errors' | 'msg' | 'message' | 'text';

/** A rate-limited answer in the configured shape: `{status, headers, body}`, the body text for `text`. */
export function koreaiRateLimitAnswer(
  shape: RateLimitShape,
  status: number,
  msg: string,
): { status: number; headers: Record<string, string>; body: unknown } {
  switch (shape) {
    case 'errors':
      return { status, headers: {}, body: koreaiErrorBody(msg, 429) };
    case 'msg':
      return { status, headers: {}, body: { msg } };
    case 'message':
      return { status, headers: {}, body: { message: msg } };
    case 'text':
      return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: msg };
  }
}

export function sendKoreaiError(reply: FastifyReply, status: number, msg: string, code: number = status): FastifyReply {
  return reply.code(status).send(koreaiErrorBody(msg, code));
}

/**
 * Message texts. The three rate-limit texts and the replay text are the ones seen from Kore.ai; the rest are
 * not documented and are plausible stand-ins.
 */
export const KOREAI_MESSAGES = {
  rateLimited: 'Rate limit for this API has been reached. Please try again after some time.',
  perMinuteLimit: "You've exceeded the per-minute rate limit for this API. Please try again after some time.",
  hourlyLimit: "You've exceeded the hourly rate limit for this API. Please try again after an hour.",
  replay: 'error verifying the jwt: possibly a replay',
  missingToken: 'auth token is missing',
  malformedToken: 'error verifying the jwt: jwt malformed',
  unsupportedAlgorithm: 'error verifying the jwt: invalid algorithm',
  badSignature: 'error verifying the jwt: invalid signature',
  wrongApp: 'error verifying the jwt: invalid appId',
  expired: 'error verifying the jwt: jwt expired',
  jtiRequired: 'error verifying the jwt: jti is required',
  expRequired: 'error verifying the jwt: exp and iat are required',
  expTooFar: 'error verifying the jwt: exp must be within 1 hour of iat',
  unknownBot: 'Bot not found',
  unknownJob: 'Job not found',
  serverError: 'Internal Server Error',
} as const;
