import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/** Cartesia's error shape from version 2026-03-01 on. */
export type CartesiaErrorBody = { error_code: string | null; title: string; message: string; request_id: string; doc_url?: string };
export type CartesiaError = { status: number; error_code: string | null; title: string; message: string };

/**
 * Only `concurrency_limited` is a documented code; the others are plausible stand-ins, and some are null
 * ("null if no specific code applies") so clients meet both forms. Every 400 has its own code except the
 * not-terminal one (null by default, setting `notTerminalErrorCode`): a client tells them apart by code,
 * or by GET-ing the call.
 */
export const CARTESIA_ERRORS = {
  unauthorized: { status: 401, error_code: 'invalid_api_key', title: 'Unauthorized', message: 'Missing or invalid API key.' },
  missingVersion: { status: 400, error_code: 'invalid_version', title: 'Missing Cartesia-Version header', message: 'Every request must send a Cartesia-Version header, e.g. 2026-03-01.' },
  unsupportedVersion: { status: 400, error_code: 'invalid_version', title: 'Unsupported Cartesia-Version', message: 'This endpoint is not available in the requested Cartesia-Version.' },
  callNotFound: { status: 404, error_code: 'not_found', title: 'Not found', message: 'Call not found.' },
  agentNotFound: { status: 404, error_code: 'not_found', title: 'Not found', message: 'Agent not found.' },
  routeNotFound: { status: 404, error_code: 'not_found', title: 'Not found', message: 'No such route.' },
  notTerminal: {
    status: 400,
    error_code: null,
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

/** What a proxy or captive portal in front of the API answers (setting `proxy`): HTML, never Cartesia's JSON. */
export const PROXY_PAGES = {
  html404: {
    status: 404,
    body: '<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  },
  html200: {
    status: 200,
    body:
      '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Sign in to continue</title></head>\n' +
      '<body><h1>Sign in to continue</h1><p>Your session has expired. Please sign in to reach this site.</p>\n' +
      '<form method="post" action="/login"><input name="username"><input name="password" type="password"><button>Sign in</button></form></body></html>\n',
  },
  html502: {
    status: 502,
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
  },
} as const;

export function badRequest(message: string): CartesiaError {
  return { status: 400, error_code: 'invalid_request', title: 'Bad request', message };
}
