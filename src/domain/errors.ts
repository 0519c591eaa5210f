// The problems the API can answer with (RFC 9457). Each kind has a stable `type` URI and an HTTP status:
// the catalogue is part of the public contract, so services throw these and one handler renders them.

export const PROBLEM_TYPE_BASE = 'https://erasure-gateway.dev/problems/';

export const PROBLEM_KINDS = {
  validation: { status: 400, title: 'The request is not valid' },
  'invalid-json': { status: 400, title: 'The request body is not valid JSON' },
  'bad-request': { status: 400, title: 'Bad request' },
  unauthorized: { status: 401, title: 'Authentication is required' },
  forbidden: { status: 403, title: 'The API key lacks the scope this operation needs' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  'unknown-connection': { status: 422, title: 'A target names a connection that does not exist or has the wrong type' },
  'callback-host-not-allowed': { status: 422, title: 'The callback URL host is not allowed' },
  'idempotency-key-reuse': { status: 422, title: 'The Idempotency-Key was already used with a different request body' },
  'request-not-cancellable': { status: 409, title: 'The request can no longer be cancelled' },
  'request-not-retryable': { status: 409, title: 'The request has nothing to retry' },
  'task-not-closable': { status: 409, title: 'The task cannot be skipped or resolved in its state' },
  'extension-not-allowed': { status: 422, title: 'The deadline cannot be extended so' },
  'audit-chain-broken': { status: 409, title: 'The audit trail does not verify; no evidence is issued' },
  'connection-busy': { status: 429, title: 'The connection has no free pacing slot for a check now' },
  'rate-limited': { status: 429, title: 'This API key has made too many writes; retry after the time given' },
  'quota-exceeded': { status: 429, title: "The request would take the tenant over its open-task quota" },
  internal: { status: 500, title: 'Internal error' },
  'service-unavailable': { status: 503, title: 'The service is temporarily unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** One reason a request was refused, e.g. `{ path: 'body.targets.0.connection', message: '…' }`. */
export type ProblemIssue = { path: string; message: string };

export type ProblemOptions = {
  errors?: ProblemIssue[];
  /** Response headers that belong to this problem (e.g. WWW-Authenticate, Allow, Retry-After). */
  headers?: Record<string, string>;
  /** Only for `bad-request`: the HTTP status of a generic 4xx the framework produced. */
  status?: number;
  cause?: unknown;
};

export class ProblemError extends Error {
  readonly kind: ProblemKind;
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: ProblemIssue[] | undefined;
  readonly headers: Record<string, string>;

  constructor(kind: ProblemKind, detail: string, options: ProblemOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProblemError';
    this.kind = kind;
    this.status = options.status ?? PROBLEM_KINDS[kind].status;
    this.title = PROBLEM_KINDS[kind].title;
    this.detail = detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  get type(): string {
    return problemType(this.kind);
  }
}

/** The error factory: `throw problem('not-found', 'no erasure request with id …')`. */
export function problem(kind: ProblemKind, detail: string, options?: ProblemOptions): ProblemError {
  return new ProblemError(kind, detail, options);
}

export function problemType(kind: ProblemKind): string {
  return `${PROBLEM_TYPE_BASE}${kind}`;
}

export function isProblemError(value: unknown): value is ProblemError {
  return value instanceof ProblemError;
}
