// The one place errors become answers: every failure — thrown ProblemErrors, schema validation, body
// parsing, unknown routes, wrong methods, a database that is down, bugs — is rendered as RFC 9457
// application/problem+json with a stable `type`. Details of 5xx errors are logged, never sent.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isProblemError, problem, type ProblemError, type ProblemIssue } from '../../domain/errors.ts';
import { isDatabaseUnavailable } from '../database-unavailable.ts';
import { PROBLEM_MEDIA_TYPE, type ProblemBody } from '../schemas/problem.ts';

/** Writes a problem answer. The body is sent pre-serialised, so no route response schema can interfere. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: ProblemError): FastifyReply {
  const body: ProblemBody = {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: request.id,
    ...(error.errors === undefined ? {} : { errors: error.errors }),
  };
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status).type(PROBLEM_MEDIA_TYPE).send(JSON.stringify(body));
}

const VALIDATION_PARTS: Record<string, string> = { body: 'body', querystring: 'query', params: 'params', headers: 'headers' };

function validationProblem(error: FastifyError): ProblemError {
  const part = VALIDATION_PARTS[error.validationContext ?? 'body'] ?? 'body';
  if (part === 'params') return problem('not-found', 'No resource exists at this path (the id is not a valid id).');
  const errors: ProblemIssue[] = (error.validation ?? []).map((v) => {
    const segments = (v.instancePath ?? '').split('/').filter((s) => s !== '');
    const keys = (v.params as { keys?: unknown } | undefined)?.keys;
    const message = v.keyword === 'unrecognized_keys' && Array.isArray(keys) ? `unknown field(s): ${keys.join(', ')}` : (v.message ?? 'invalid');
    return { path: [part, ...segments].join('.'), message };
  });
  const detail = errors.map((e) => `${e.path}: ${e.message}`).join('; ') || `the ${part} is not valid`;
  return problem('validation', detail, { errors });
}

/** Turns anything thrown while handling a request into a problem. */
export function toProblem(error: unknown): ProblemError {
  if (isProblemError(error)) return error;
  const e = error as FastifyError;
  if (hasZodFastifySchemaValidationErrors(e) || (Array.isArray(e?.validation) && e.validation.length > 0)) return validationProblem(e);
  switch (e?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return problem('payload-too-large', 'The request body is larger than this server accepts.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return problem('unsupported-media-type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return problem('invalid-json', 'The body is empty but the content type says JSON.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return problem('invalid-json', 'The body is not valid JSON.');
  }
  if (error instanceof SyntaxError && e.statusCode === 400) return problem('invalid-json', 'The body is not valid JSON.');
  if (isDatabaseUnavailable(error)) {
    return problem('service-unavailable', 'The database is unavailable; try again shortly.', { headers: { 'retry-after': '5' }, cause: error });
  }
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status === 404) return problem('not-found', 'Not found.');
  if (status >= 400 && status < 500) return problem('bad-request', e.message ?? 'Bad request.', { status });
  if (status === 503) return problem('service-unavailable', 'The service is unavailable; try again shortly.', { headers: { 'retry-after': '5' } });
  return problem('internal', 'An unexpected error occurred. The request id identifies it in the logs.', { cause: error });
}

/**
 * An error as it may be logged: name, message, code and stack only. Database errors carry `detail`
 * ("Failing row contains (…)") and drivers may carry parameters: both can hold subject data.
 */
export function loggableError(error: unknown, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const { code } = error as { code?: unknown };
  return {
    type: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    stack: error.stack,
    ...(error.cause !== undefined && depth < 3 ? { cause: loggableError(error.cause, depth + 1) } : {}),
  };
}

/**
 * Fastify's `frameworkErrors` option: URLs its router refuses before any route, hook or error handler
 * runs — a malformed percent-encoding (FST_ERR_BAD_URL) or a path segment over `maxParamLength`
 * (FST_ERR_MAX_PARAM_LENGTH) — are answered as problems too, not as Fastify's own plain JSON.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const answer =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? // Every path parameter is a UUID: a segment this long names nothing.
        problem('not-found', 'No resource exists at this path.')
      : error.code === 'FST_ERR_BAD_URL'
        ? problem('bad-request', 'The URL is not valid: it has a malformed percent-encoding.', { status: 400 })
        : toProblem(error);
  request.log.info({ problem: answer.kind, status: answer.status, code: error.code }, 'request refused by the router');
  // The request-context hooks do not run for these: echo the request id here.
  reply.header('x-request-id', request.id);
  return sendProblem(request, reply, answer);
}

/** Route patterns by method, to tell "no such path" (404) from "not this method" (405). */
function routeMatcher(app: FastifyInstance) {
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  app.addHook('onRoute', (route) => {
    const source = route.url
      .split('/')
      .map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    routes.push({ pattern: new RegExp(`^${source}/?$`), methods });
  });
  return (path: string): string[] => [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
}

async function problemsPlugin(app: FastifyInstance): Promise<void> {
  const allowedMethods = routeMatcher(app);

  app.setErrorHandler((error, request, reply) => {
    const answer = toProblem(error);
    if (answer.status >= 500) request.log.error({ error: loggableError(error), problem: answer.kind }, 'request failed');
    else request.log.info({ problem: answer.kind, status: answer.status }, 'request refused');
    return sendProblem(request, reply, answer);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = allowedMethods(path);
    if (allowed.length > 0 && !allowed.includes(request.method)) {
      return sendProblem(request, reply, problem('method-not-allowed', `${request.method} is not supported here; use ${allowed.join(', ')}.`, { headers: { allow: allowed.join(', ') } }));
    }
    return sendProblem(request, reply, problem('not-found', `No route ${request.method} ${path}.`));
  });
}

export default fp(problemsPlugin, { name: 'problems', fastify: '5.x' });
