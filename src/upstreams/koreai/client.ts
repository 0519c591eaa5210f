// A Kore.ai connection: one undici Pool, a JWT minted per call, and the URL layout of one bot.
// Every call goes through callKoreai(), which times it and turns the answer into an outcome with the
// operation's classifier, so an executor is a few lines saying which call and which classifier.
import { connectionSecret, type GatewayConfig, type KoreaiConnectionConfig } from '../../config.ts';
import type { ExecutionContext, ExecutionResult } from '../../domain/task-execution.ts';
import type { Outcome, UpstreamCall } from '../../domain/outcome.ts';
import { createUpstreamEndpoint, sendUpstream, TransportError, type UpstreamEndpoint, type UpstreamResponse } from '../http.ts';
import { classifyKoreaiTransportError, type KoreaiTimings } from './classify.ts';
import { mintKoreaiJwt } from './jwt.ts';

export type KoreaiClient = {
  readonly connection: KoreaiConnectionConfig;
  readonly timings: KoreaiTimings;
  readonly endpoint: UpstreamEndpoint;
  /** Signing key (client secret or private key), resolved from configuration. */
  readonly key: string;
  close(): Promise<void>;
};

export function createKoreaiClient(config: Pick<GatewayConfig, 'file' | 'secrets'>, connection: KoreaiConnectionConfig): KoreaiClient {
  const field = connection.jwtAlgorithm.startsWith('HS') ? 'clientSecret' : 'privateKey';
  const key = connectionSecret(config, connection.name, field);
  if (key === undefined) throw new Error(`connection ${connection.name}: ${field} is not configured`);
  const endpoint = createUpstreamEndpoint(connection.baseUrl, { timeoutMs: connection.requestTimeoutMs });
  const windows = connection.limits.windows.map((w) => w.seconds);
  return {
    connection,
    key,
    endpoint,
    timings: {
      jobPollIntervalMs: connection.jobPollIntervalSeconds * 1000,
      jobMaxAgeMs: connection.jobMaxAgeHours * 3_600_000,
      recordingRecheckMs: connection.recordingRecheckSeconds * 1000,
      recordingMaxWaitMs: connection.recordingMaxWaitHours * 3_600_000,
      recordingConfirmDelayMs: connection.recordingConfirmDelaySeconds * 1000,
      rateLimitBackoffMs: connection.rateLimitBackoffSeconds * 1000,
      shortWindowMs: windows.length > 0 ? Math.min(...windows) * 1000 : 60_000,
      longestWindowSeconds: windows.length > 0 ? Math.max(...windows) : null,
      shortestWindowSeconds: windows.length > 0 ? Math.min(...windows) : null,
    },
    close: () => endpoint.close(),
  };
}

export type KoreaiCallSpec = {
  operation: string;
  method: 'GET' | 'POST' | 'DELETE';
  /** Path after `{pathPrefix}/{botId}`, concrete (with query). */
  path: string;
  /** Replaces the connection's pathPrefix for this call (the legacy recordings path). */
  pathPrefix?: string;
  /** The same path as a template for the audit trail, e.g. `/v2/recordings?sessionId={sessionId}`. */
  template: string;
  body?: unknown;
  /** Reads upstream references worth recording on the call event (job id…). */
  ref?: (res: UpstreamResponse) => UpstreamCall['ref'];
  classify: (res: UpstreamResponse, timings: KoreaiTimings, now: Date) => Outcome;
  /** Reads a call that got no answer (default: retried as a transport failure). */
  onTransportError?: (err: TransportError, now: Date) => Outcome;
};

export async function callKoreai(client: KoreaiClient, ctx: ExecutionContext, spec: KoreaiCallSpec): Promise<ExecutionResult> {
  const { connection } = client;
  const pathPrefix = spec.pathPrefix ?? connection.pathPrefix;
  const prefix = `${pathPrefix.replace(/\/+$/, '')}/${encodeURIComponent(connection.botId)}`;
  const headers: Record<string, string> = {
    auth: mintKoreaiJwt({ algorithm: connection.jwtAlgorithm, clientId: connection.clientId, key: client.key }, ctx.now(), ctx.uuid()),
    accept: 'application/json',
  };
  if (spec.body !== undefined) headers['content-type'] = 'application/json';
  const template = `${pathPrefix}/{botId}${spec.template}`;
  try {
    const res = await sendUpstream(client.endpoint, {
      method: spec.method,
      path: `${prefix}${spec.path}`,
      headers,
      body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
      signal: ctx.signal,
    });
    const call: UpstreamCall = { operation: spec.operation, method: spec.method, pathTemplate: template, status: res.status, latencyMs: res.latencyMs };
    const ref = spec.ref?.(res);
    if (ref !== undefined && Object.keys(ref).length > 0) call.ref = ref;
    return { outcome: spec.classify(res, client.timings, ctx.now()), call };
  } catch (err) {
    if (!(err instanceof TransportError)) throw err;
    return {
      outcome: spec.onTransportError?.(err, ctx.now()) ?? classifyKoreaiTransportError(err),
      call: { operation: spec.operation, method: spec.method, pathTemplate: template, status: null, latencyMs: err.latencyMs, transportError: err.code },
    };
  }
}
