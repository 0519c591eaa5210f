// Shared undici plumbing for upstream clients: one Pool per connection, a whole-call deadline, and
// response bodies read with a byte cap (a v1 recording answer carries whole audio inline: never buffer
// unbounded). Bodies are handed to the vendor's classifier only; nothing here logs them.
import { Pool } from 'undici';

export type UpstreamEndpoint = {
  readonly origin: string;
  /** Path part of the configured base URL (no trailing slash), prefixed to every request path. */
  readonly basePath: string;
  readonly timeoutMs: number;
  readonly pool: Pool;
  close(): Promise<void>;
};

export function createUpstreamEndpoint(baseUrl: string, options: { timeoutMs: number; connections?: number }): UpstreamEndpoint {
  const url = new URL(baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  const pool = new Pool(url.origin, {
    connections: options.connections ?? null,
    connectTimeout: Math.min(options.timeoutMs, 10_000),
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    keepAliveTimeout: 4_000,
  });
  return {
    origin: url.origin,
    basePath,
    timeoutMs: options.timeoutMs,
    pool,
    close: () => pool.close(),
  };
}

export type UpstreamRequest = {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  /** The concrete path (with query), relative to the endpoint's base path. */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the call (shutdown); the endpoint's own deadline applies too. */
  signal?: AbortSignal;
  /** Bytes of body kept; the rest is discarded and the answer marked truncated. */
  maxBodyBytes?: number;
};

export type UpstreamResponse = {
  status: number;
  headers: Record<string, string | undefined>;
  /** Parsed JSON when the (untruncated) body is JSON; undefined otherwise. */
  json: unknown;
  /** The body as text, at most maxBodyBytes (for classifiers that match messages; never logged). */
  text: string;
  truncated: boolean;
  latencyMs: number;
};

export type TransportErrorCode = 'timeout' | 'aborted' | 'connection' | 'protocol';

/** No usable answer came: the call may or may not have reached the upstream. */
export class TransportError extends Error {
  readonly code: TransportErrorCode;
  readonly latencyMs: number;
  constructor(code: TransportErrorCode, message: string, latencyMs: number, cause?: unknown) {
    super(message, { cause });
    this.name = 'TransportError';
    this.code = code;
    this.latencyMs = latencyMs;
  }
}

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export async function sendUpstream(endpoint: UpstreamEndpoint, request: UpstreamRequest): Promise<UpstreamResponse> {
  const started = performance.now();
  const deadline = AbortSignal.timeout(endpoint.timeoutMs);
  const signal = request.signal === undefined ? deadline : AbortSignal.any([deadline, request.signal]);
  const max = request.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  try {
    const res = await endpoint.pool.request({
      method: request.method,
      path: `${endpoint.basePath}${request.path}`,
      headers: request.headers,
      body: request.body,
      signal,
    });
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      if (size + chunk.length > max) {
        chunks.push(chunk.subarray(0, max - size));
        size = max;
        truncated = true;
        break; // leaving the loop destroys the body stream: the rest is never read
      }
      chunks.push(chunk);
      size += chunk.length;
    }
    const text = Buffer.concat(chunks, size).toString('utf8');
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    let json: unknown;
    if (!truncated && text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.statusCode, headers, json, text, truncated, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    const latencyMs = Math.round(performance.now() - started);
    if (deadline.aborted) throw new TransportError('timeout', `no answer within ${endpoint.timeoutMs} ms`, latencyMs, err);
    if (request.signal?.aborted === true) throw new TransportError('aborted', 'call aborted by the worker', latencyMs, err);
    const code = (err as { code?: string }).code ?? '';
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
      throw new TransportError('timeout', code, latencyMs, err);
    }
    if (code.startsWith('HPE_') || code === 'UND_ERR_INFO') throw new TransportError('protocol', code, latencyMs, err);
    throw new TransportError('connection', code === '' ? (err as Error).name : code, latencyMs, err);
  }
}

/**
 * When the upstream asks to be called again, in ms from `now`: `retry-after-ms` first, then
 * `retry-after` as seconds or an HTTP date (what Cartesia's SDKs honour). Undefined when absent or unreadable.
 */
export function retryAfterMs(headers: Record<string, string | undefined>, now: Date): number | undefined {
  const ms = headers['retry-after-ms'];
  if (ms !== undefined) {
    const n = Number(ms);
    if (Number.isFinite(n) && n >= 0) return Math.ceil(n);
  }
  const ra = headers['retry-after']?.trim();
  if (ra === undefined || ra === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(ra)) return Math.ceil(Number(ra) * 1000);
  const at = Date.parse(ra);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

/** Parses a JSON object leniently: anything that is not a plain object reads as empty. */
export function asObject(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
