// The executor for `callback` tasks: POSTs the request resource (the same JSON as
// GET /v1/erasure-requests/{id}, as it is at delivery time) to the request's callbackUrl, signed, with
// event `request.<status>` (a final state) or `request.extended` (its deadline was extended), and
// tells the worker what the answer means. One POST per execution; the worker owns the database, the
// backoff and the events.
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { JsonObject } from '../domain/json.ts';
import { EXTENSION_EVENT, type ErasureRequestResource } from '../domain/erasure-request.ts';
import { loadRequestResourceAsOwner } from '../services/request-view.ts';
import type { ErrorSummary } from '../domain/outcome.ts';
import type { ExecutionContext, ExecutionResult, TaskExecutor } from '../domain/task-execution.ts';
import { callbackSettlementEvents } from './callback-events.ts';
import { deliverCallback, type CallbackOutcome, type CallbackTransport } from './deliver-callback.ts';
import type { CallbackSettings } from './url-policy.ts';

export type CallbackExecutorDeps = {
  db: Kysely<DB>;
  /** Null when callbacks are not configured: deliveries fail with a clear reason. */
  settings: CallbackSettings | null;
  transport: CallbackTransport;
  loadResource?: (db: Kysely<DB>, requestId: string, now: Date) => Promise<ErasureRequestResource | undefined>;
};

export const CALLBACK_OPERATION = 'callback.deliver';
/** Never the URL itself: a caller's token may sit in its query. */
export const CALLBACK_PATH_TEMPLATE = '{callbackUrl}';

function gatewayFailure(code: string, message: string): ExecutionResult {
  return { outcome: { kind: 'failed', error: { kind: 'gateway', code, message } } };
}

function errorSummary(o: Exclude<CallbackOutcome, { outcome: 'delivered' }>): ErrorSummary {
  return o.statusCode === null
    ? { kind: 'transport', code: o.outcome === 'failed' ? 'refused' : 'unreachable', message: o.reason }
    : { kind: 'http', status: o.statusCode, code: `http_${o.statusCode}`, message: o.reason };
}

export function createCallbackExecutor(deps: CallbackExecutorDeps): TaskExecutor {
  const load = deps.loadResource ?? loadRequestResourceAsOwner;
  return {
    settlementEvents: callbackSettlementEvents,
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const { task } = ctx;
      if (deps.settings === null) return gatewayFailure('callbacks_not_configured', 'callbacks are not configured (callbacks.secret and allowedHosts)');
      const url = task.locator.url;
      if (typeof url !== 'string') return gatewayFailure('invalid_locator', 'the callback task has no url');
      const now = ctx.now();
      const resource = await load(deps.db, task.requestId, now);
      if (resource === undefined) return gatewayFailure('request_not_found', 'the request no longer exists');
      // A deadline's extension is announced as it is (the request is open, by the extension rule).
      const extension = task.locator.event === EXTENSION_EVENT;
      // Otherwise callbacks announce final states only: a request re-driven since this delivery was
      // scheduled is not final now, and its next final state gets a delivery of its own.
      if (!extension && resource.completedAt === null) {
        return { outcome: { kind: 'cancelled', code: 'superseded', message: 'the request was reopened before this delivery went out' } };
      }
      const event = extension ? EXTENSION_EVENT : `request.${resource.status}`;
      const result = await deliverCallback(
        { url, event, deliveryId: task.id, body: JSON.stringify(resource), now, signal: ctx.signal },
        deps.settings,
        deps.transport,
      );
      // Refused by policy (host no longer allowed, private address): nothing went out, so no call to record.
      const attempted = !(result.outcome === 'failed' && result.statusCode === null);
      const ref: JsonObject = { event, host: new URL(url).host, statusCode: result.statusCode, latencyMs: result.latencyMs };
      const call = attempted
        ? {
            call: {
              operation: CALLBACK_OPERATION,
              method: 'POST',
              pathTemplate: CALLBACK_PATH_TEMPLATE,
              status: result.statusCode,
              latencyMs: result.latencyMs,
              // A code, not the reason's text: the trail keeps codes only.
              ...(result.statusCode === null && result.outcome !== 'delivered' ? { transportError: result.reason === 'timeout' ? 'timeout' : 'connection' } : {}),
              ref,
            },
          }
        : {};
      switch (result.outcome) {
        case 'delivered':
          return { outcome: { kind: 'succeeded', upstreamRef: { ...ref, deliveredAt: now.toISOString() } }, ...call };
        case 'retry':
          return {
            outcome: { kind: 'retry', error: errorSummary(result), ...(result.retryAfterMs === null ? {} : { retryAfterMs: result.retryAfterMs }) },
            ...call,
          };
        case 'failed':
          return { outcome: { kind: 'failed', error: errorSummary(result) }, ...call };
      }
    },
  };
}
