import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/** Cartesia's error shape from version 2026-03-01 on. */
export type CartesiaErrorBody = { error_code: string | null; title: string; message: string; request_id: string; doc_url?: string };
export type CartesiaError = { status: number; error_code: string | null; title: string; message: string };

/**
 * Only `concurrency_limited` is a documented code; the others are plausible stand-ins, and some are null
 * ("null if no specific code applies") so clients meet both forms.
 */
export const CARTESIA_ERRORS = {
  unauthorized: { status: 401, error_code: 'invalid_api_key', title: 'Unauthorized', message: 'Missing or invalid API key.' },
  missingVersion: { status: 400, error_code: 'missing_version', title: 'Missing Cartesia-Version header', message: 'Every request must send a Cartesia-Version header, e.g. 2026-03-01.' },
  unsupportedVersion: { status: 400, error_code: 'invalid_version', title: 'Unsupported Cartesia-Version', message: 'This endpoint is not available in the requested Cartesia-Version.' },
  callNotFound: { status: 404, error_code: 'not_found', title: 'Not found', message: 'Call not found.' },
  routeNotFound: { status: 404, error_code: 'not_found', title: 'Not found', message: 'No such route.' },
  notTerminal: {
    status: 400,
    error_code: 'invalid_request',
    title: 'Call is not in a terminal state',
    message: 'Only completed or failed calls can be deleted; cancel an active call first via POST /agents/calls/{call_id}/cancel.',
  },
  notCancellable: { status: 400, error_code: 'invalid_request', title: 'Call cannot be cancelled', message: 'Only calls in status started can be cancelled.' },
  concurrencyLimited: { status: 429, error_code: 'concurrency_limited', title: 'Too many concurrent requests', message: "You have exceeded your plan's concurrency limit." },
  deletionIncomplete: { status: 500, error_code: null, title: 'Deletion did not complete', message: 'Deletion did not complete. Retry the request; deletion is idempotent.' },
  internal: { status: 500, error_code: null, title: 'Internal server error', message: 'An internal error occurred. Please retry.' },
} as const satisfies Record<string, CartesiaError>;

export function cartesiaErrorBody(error: Omit<CartesiaError, 'status'>): CartesiaErrorBody {
  return { error_code: error.error_code, title: error.title, message: error.message, request_id: randomUUID() };
}

export function sendCartesiaError(reply: FastifyReply, error: CartesiaError): FastifyReply {
  return reply.code(error.status).send(cartesiaErrorBody(error));
}

export function badRequest(message: string): CartesiaError {
  return { status: 400, error_code: 'invalid_request', title: 'Bad request', message };
}
