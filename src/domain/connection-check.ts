// A connection check: one harmless authenticated call that proves a connection's key and address (or
// not), the answer it gets, and what the gateway shows about its connections. While the last check of a
// connection says its key or address is wrong, no deletion is sent on it (docs/verdicts.md, "Connections").

/**
 * - `ok`: the vendor answered in its own recognised shape (its JSON "not found", or the object itself):
 *   the key and the address are right;
 * - `auth_failed`: the vendor refused the key (401/403 in its shape);
 * - `unexpected_answer`: something answered that is not the vendor's recognised answer (an HTML page, a
 *   route-not-found, a wrong API version…): the address or a setting is wrong;
 * - `unreachable`: no conclusive answer now (no answer, a timeout, a 5xx or a "try later").
 */
export const CONNECTION_CHECK_RESULTS = ['ok', 'auth_failed', 'unexpected_answer', 'unreachable'] as const;
export type ConnectionCheckResult = (typeof CONNECTION_CHECK_RESULTS)[number];

/** Results that hold a connection's deletions until a later check says otherwise. */
export const HOLDING_CHECK_RESULTS = ['auth_failed', 'unexpected_answer'] as const satisfies readonly ConnectionCheckResult[];

export function holdsDeletions(result: ConnectionCheckResult): boolean {
  return (HOLDING_CHECK_RESULTS as readonly ConnectionCheckResult[]).includes(result);
}

/** What one check call found: never a body, a message or a secret — a result, a status and a machine code. */
export type ConnectionCheckAnswer = {
  result: ConnectionCheckResult;
  /** HTTP status of the answer; null when none came. */
  httpStatus: number | null;
  /** Why, as a machine code: the vendor's error code (`invalid_api_key`), or ours (`not_json`, `timeout`…). */
  code: string;
  latencyMs: number;
  /** The vendor said "rate limited": the answer proves nothing, and checks of this connection should wait. */
  rateLimited?: boolean;
};

export type ProbeContext = {
  now(): Date;
  uuid(): string;
  signal?: AbortSignal;
};

/** Makes the check call on a configured connection (upstreams/connection-probes.ts implements it). */
export type ConnectionProbe = {
  probe(connection: string, ctx: ProbeContext): Promise<ConnectionCheckAnswer>;
  close(): Promise<void>;
};

/** The last check of a connection, as stored and as the API shows it. */
export type ConnectionCheckRecord = {
  result: ConnectionCheckResult;
  httpStatus: number | null;
  code: string | null;
  latencyMs: number | null;
  checkedAt: string;
  /** `worker:<id>` or `api-key:<name>`. */
  checkedBy: string;
};

export type ConnectionType = 'koreai' | 'cartesia';

/** A configured connection as `GET /v1/connections` shows it: no credential, no client id. */
export type ConnectionResource = {
  name: string;
  type: ConnectionType;
  /** The configured base URL without user info, query or fragment. */
  baseUrl: string;
  /** Kore.ai: the bot; null for Cartesia. */
  botId: string | null;
  /** Cartesia: the `Cartesia-Version` sent; null for Kore.ai. */
  apiVersion: string | null;
  limits: { windows: Array<{ max: number; seconds: number }>; concurrency: number | null };
  lastCheck: ConnectionCheckRecord | null;
  /** True while the last check holds the connection's deletions (`auth_failed`, `unexpected_answer`). */
  blocked: boolean;
  /** Set while the connection is paused after a rate-limit answer. */
  pausedUntil: string | null;
};

export type ConnectionList = { data: ConnectionResource[] };

/** The answer of `POST /v1/connections/{name}/check`. */
export type ConnectionCheckResource = {
  connection: string;
  result: ConnectionCheckResult;
  httpStatus: number | null;
  code: string | null;
  latencyMs: number | null;
  checkedAt: string;
  checkedBy: string;
  /** Whether this result holds the connection's deletions. */
  blocked: boolean;
};

/** Why an open task is not being worked on, as the tasks view shows it. */
export type TaskBlock = { reason: 'blocked_by_connection'; check: ConnectionCheckRecord };
