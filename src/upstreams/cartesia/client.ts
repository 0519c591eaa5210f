// A Cartesia connection: one undici Pool, Bearer key and Cartesia-Version on every call.
import { connectionSecret, type CartesiaConnectionConfig, type GatewayConfig } from '../../config.ts';
import type { JsonObject } from '../../domain/json.ts';
import type { ExecutionContext, ExecutionResult } from '../../domain/task-execution.ts';
import type { Outcome, UpstreamCall } from '../../domain/outcome.ts';
import { createUpstreamEndpoint, sendUpstream, TransportError, type UpstreamEndpoint, type UpstreamResponse } from '../http.ts';
import { readCartesiaError } from './answers.ts';
import { classifyCartesiaTransportError, type CallClassifyInput, type CartesiaPolicy } from './classify.ts';

export type CartesiaClient = {
  readonly connection: CartesiaConnectionConfig;
  readonly policy: CartesiaPolicy;
  readonly endpoint: UpstreamEndpoint;
  readonly apiKey: string;
  close(): Promise<void>;
};

export function createCartesiaClient(config: Pick<GatewayConfig, 'file' | 'secrets'>, connection: CartesiaConnectionConfig): CartesiaClient {
  const apiKey = connectionSecret(config, connection.name, 'apiKey');
  if (apiKey === undefined) throw new Error(`connection ${connection.name}: apiKey is not configured`);
  const endpoint = createUpstreamEndpoint(connection.baseUrl, { timeoutMs: connection.requestTimeoutMs });
  return {
    connection,
    apiKey,
    endpoint,
    policy: {
      cancelActiveCalls: connection.cancelActiveCalls,
      activeCallRecheckMs: connection.activeCallRecheckSeconds * 1000,
      activeCallMaxWaitMs: connection.activeCallMaxWaitHours * 3_600_000,
    },
    close: () => endpoint.close(),
  };
}

/** The headers of every Cartesia call. */
export function cartesiaHeaders(client: CartesiaClient): Record<string, string> {
  return {
    authorization: `Bearer ${client.apiKey}`,
    'cartesia-version': client.connection.apiVersion,
    accept: 'application/json',
  };
}

export type CartesiaCallSpec = {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  template: string;
  classify: (res: UpstreamResponse, input: CallClassifyInput) => Outcome;
};

/** What a call event may carry: Cartesia's request id and error code (never its message). */
function callRef(res: UpstreamResponse): JsonObject {
  const e = readCartesiaError(res);
  const out: JsonObject = {};
  const requestId = e?.requestId ?? res.headers['x-request-id'];
  if (requestId !== undefined) out.requestId = requestId;
  if (e !== undefined && e.code !== null) out.errorCode = e.code;
  return out;
}

export async function callCartesia(client: CartesiaClient, ctx: ExecutionContext, callId: string, spec: CartesiaCallSpec): Promise<ExecutionResult> {
  try {
    const res = await sendUpstream(client.endpoint, { method: spec.method, path: spec.path, headers: cartesiaHeaders(client), signal: ctx.signal });
    const call: UpstreamCall = { operation: spec.operation, method: spec.method, pathTemplate: spec.template, status: res.status, latencyMs: res.latencyMs };
    const ref = callRef(res);
    if (Object.keys(ref).length > 0) call.ref = ref;
    const input: CallClassifyInput = { policy: client.policy, now: ctx.now(), task: { callId, upstreamRef: ctx.task.upstreamRef, since: ctx.task.createdAt } };
    return { outcome: spec.classify(res, input), call };
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    return {
      outcome: classifyCartesiaTransportError(err),
      call: { operation: spec.operation, method: spec.method, pathTemplate: spec.template, status: null, latencyMs: err.latencyMs, transportError: err.code },
    };
  }
}
