// A Cartesia connection: one undici Pool, Bearer key and Cartesia-Version on every call.
import { connectionSecret, type CartesiaConnectionConfig, type GatewayConfig } from '../../config.ts';
import type { ExecutionContext, ExecutionResult } from '../../domain/task-execution.ts';
import type { Outcome, UpstreamCall } from '../../domain/outcome.ts';
import { createUpstreamEndpoint, sendUpstream, TransportError, type UpstreamEndpoint, type UpstreamResponse } from '../http.ts';
import { cartesiaRef, classifyCartesiaTransportError, type CartesiaPolicy } from './classify.ts';

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
    policy: { cancelActiveCalls: connection.cancelActiveCalls, activeCallRecheckMs: connection.activeCallRecheckSeconds * 1000 },
    close: () => endpoint.close(),
  };
}

export type CartesiaCallSpec = {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  template: string;
  classify: (res: UpstreamResponse, policy: CartesiaPolicy, now: Date) => Outcome;
};

export async function callCartesia(client: CartesiaClient, ctx: ExecutionContext, spec: CartesiaCallSpec): Promise<ExecutionResult> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${client.apiKey}`,
    'cartesia-version': client.connection.apiVersion,
    accept: 'application/json',
  };
  try {
    const res = await sendUpstream(client.endpoint, { method: spec.method, path: spec.path, headers, signal: ctx.signal });
    const call: UpstreamCall = { operation: spec.operation, method: spec.method, pathTemplate: spec.template, status: res.status, latencyMs: res.latencyMs };
    const ref = cartesiaRef(res);
    if (Object.keys(ref).length > 0) call.ref = ref;
    return { outcome: spec.classify(res, client.policy, ctx.now()), call };
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    return {
      outcome: classifyCartesiaTransportError(err),
      call: { operation: spec.operation, method: spec.method, pathTemplate: spec.template, status: null, latencyMs: err.latencyMs, transportError: err.code },
    };
  }
}
