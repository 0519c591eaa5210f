// One callback delivery attempt: POST the signed request resource to the caller's URL and classify the
// answer. 2xx delivered; 5xx, 408, 429, timeouts and connection errors retried; other answers (3xx
// included: redirects are never followed) failed; refused hosts and addresses failed without a request.
import { Agent, request, type Dispatcher } from 'undici';
import { isNonPublicAddress } from './address-policy.ts';
import { guardedLookup, RefusedAddressError, type Resolver } from './guarded-lookup.ts';
import { CALLBACK_HEADERS, callbackSignature } from './signature.ts';
import { checkCallbackUrl } from '../domain/callback-url.ts';
import { literalAddress, type CallbackSettings } from './url-policy.ts';

export type CallbackAttempt = {
  url: string;
  /** `request.<status>`, or `request.extended` */
  event: string;
  /** Stable across attempts of one delivery (the callback task id). */
  deliveryId: string;
  /** The JSON body, exactly as signed. */
  body: string;
  now: Date;
  /** Aborts the attempt (worker shutdown); the attempt also ends after `timeoutMs`. */
  signal?: AbortSignal;
};

export type CallbackOutcome =
  | { outcome: 'delivered'; statusCode: number; latencyMs: number }
  | { outcome: 'retry'; statusCode: number | null; latencyMs: number; reason: string; retryAfterMs: number | null }
  | { outcome: 'failed'; statusCode: number | null; latencyMs: number; reason: string };

export type CallbackTransport = {
  dispatcher: Dispatcher;
  close(): Promise<void>;
};

/** The connection pool for callbacks, with the guarded DNS lookup. One per process. */
export function createCallbackTransport(settings: Pick<CallbackSettings, 'allowPrivateNetworks' | 'timeoutMs'>, resolve?: Resolver): CallbackTransport {
  const agent = new Agent({
    connect: {
      timeout: settings.timeoutMs,
      ...(settings.allowPrivateNetworks ? {} : { lookup: guardedLookup(resolve) }),
    },
    headersTimeout: settings.timeoutMs,
    bodyTimeout: settings.timeoutMs,
    // One delivery per connection is plenty; keeps no idle sockets to many receivers.
    keepAliveTimeout: 1000,
  });
  return { dispatcher: agent, close: () => agent.close() };
}

/** Retry-After as seconds or an HTTP date. */
function retryAfterMs(value: string | string[] | undefined, now: Date): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return null;
  const seconds = Number(v);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

function errorCode(err: unknown): string {
  let e: unknown = err;
  // undici wraps connect errors; the cause carries the useful code.
  for (let i = 0; i < 3 && e instanceof Error; i++) {
    if (e instanceof RefusedAddressError) return e.code;
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return err instanceof Error ? err.name : 'unknown';
}

export async function deliverCallback(
  attempt: CallbackAttempt,
  settings: CallbackSettings,
  transport: CallbackTransport,
  monotonicMs: () => number = () => performance.now(),
): Promise<CallbackOutcome> {
  const verdict = checkCallbackUrl(attempt.url, settings);
  if (!verdict.ok) return { outcome: 'failed', statusCode: null, latencyMs: 0, reason: `callbackUrl ${verdict.message}` };
  const url = new URL(verdict.url);
  const literal = literalAddress(url);
  if (literal !== null && !settings.allowPrivateNetworks && isNonPublicAddress(literal)) {
    return { outcome: 'failed', statusCode: null, latencyMs: 0, reason: 'callbackUrl points at a private, loopback or link-local address' };
  }
  const timestamp = Math.floor(attempt.now.getTime() / 1000);
  const started = monotonicMs();
  const latency = () => Math.round(monotonicMs() - started);
  try {
    const res = await request(url, {
      method: 'POST',
      dispatcher: transport.dispatcher,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'erasure-gateway-callbacks/1',
        [CALLBACK_HEADERS.timestamp]: String(timestamp),
        [CALLBACK_HEADERS.signature]: callbackSignature(settings.secret, timestamp, attempt.body),
        [CALLBACK_HEADERS.event]: attempt.event,
        [CALLBACK_HEADERS.delivery]: attempt.deliveryId,
        [CALLBACK_HEADERS.idempotencyKey]: attempt.deliveryId,
      },
      body: attempt.body,
      signal: attempt.signal === undefined
        ? AbortSignal.timeout(settings.timeoutMs)
        : AbortSignal.any([attempt.signal, AbortSignal.timeout(settings.timeoutMs)]),
    });
    // The receiver's body is not needed (and not logged); drain it so the socket is freed.
    await res.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { outcome: 'delivered', statusCode: status, latencyMs: latency() };
    if (status >= 500 || status === 408 || status === 429) {
      return {
        outcome: 'retry',
        statusCode: status,
        latencyMs: latency(),
        reason: `receiver answered ${status}`,
        retryAfterMs: retryAfterMs(res.headers['retry-after'], attempt.now),
      };
    }
    const reason = status >= 300 && status < 400 ? `receiver answered ${status} (redirects are not followed)` : `receiver answered ${status}`;
    return { outcome: 'failed', statusCode: status, latencyMs: latency(), reason };
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ERR_CALLBACK_ADDRESS_REFUSED') {
      return { outcome: 'failed', statusCode: null, latencyMs: latency(), reason: (err as Error).message ?? code };
    }
    const timedOut = code === 'TimeoutError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT';
    return { outcome: 'retry', statusCode: null, latencyMs: latency(), reason: timedOut ? 'timeout' : `connection error (${code})`, retryAfterMs: null };
  }
}
