import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { iso, type Clock } from './clock.ts';
import type { FaultDecision, FaultInjector } from './faults.ts';
import type { RequestLog, RequestLogEntry } from './request-log.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route key of a simulated vendor route (e.g. `koreai.jobs.get`); control routes have none. */
    simRoute?: string;
  }
}

export type InjectedAnswer = { status: number; headers?: Record<string, string>; body: unknown };

export type TrafficDeps = {
  clock: Clock;
  faults: FaultInjector;
  log: RequestLog;
  /** The vendor-shaped answer for an injected 5xx or 429. */
  injectedAnswer(route: string, action: 'error' | 'rate_limit', status: number): InjectedAnswer;
  /** A gate in front of the vendor logic (Cartesia's concurrency limit): answers and returns true to refuse. */
  admit?(reply: FastifyReply, inFlight: number): boolean;
  /**
   * Something in front of the vendor (a proxy or captive portal): an answer returned here is sent as it is,
   * before any limit or fault, and the request is logged with `answeredBy: 'proxy'`.
   */
  front?(request: FastifyRequest): InjectedAnswer | null;
  /**
   * Route key under which requests that match no route (outside `/_sim`) are logged, counted and faulted.
   * Omitted: such requests pass untouched, unlogged.
   */
  unmatchedRoute?: string;
};

export type Traffic = { inFlight(): number; maxInFlight(): number; reset(): void };

type InFlightRequest = { route: string; entry: RequestLogEntry; decision: FaultDecision; startedAt: number; faultApplied: boolean };

const isControlUrl = (url: string): boolean => url === '/_sim' || url.startsWith('/_sim/') || url.startsWith('/_sim?');

/** An injected answer's body as bytes on the wire: text as is, anything else as JSON. */
const wireBody = (body: unknown): string => (typeof body === 'string' ? body : JSON.stringify(body));

/**
 * Everything that happens to a vendor request before and after the vendor logic: the request log,
 * in-flight counting, a proxy in front (`front`), and injected faults. Requests to routes without `simRoute`
 * pass untouched, except unmatched paths when `unmatchedRoute` names a key for them.
 */
export function installTraffic(app: FastifyInstance, deps: TrafficDeps): Traffic {
  const inFlightRequests = new WeakMap<FastifyRequest, InFlightRequest>();
  let inFlight = 0;
  let maxInFlight = 0;

  const finish = (state: InFlightRequest, status: number | null) => {
    deps.log.finish(state.entry, status, Math.round(performance.now() - state.startedAt));
  };

  const applyFault = (request: FastifyRequest, reply: FastifyReply, state: InFlightRequest): boolean => {
    const { action, status } = state.decision;
    if (action === 'none') return false;
    state.faultApplied = true;
    state.entry.fault = action;
    if (action === 'error' || action === 'rate_limit') {
      const answer = deps.injectedAnswer(state.route, action, status);
      reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
      return true;
    }
    // hang and drop: take the reply away from fastify so nothing is ever written.
    reply.hijack();
    finish(state, null);
    if (action === 'drop') request.raw.socket.destroy();
    // A hung socket is closed by the client giving up, or by close() (forceCloseConnections).
    return true;
  };

  app.addHook('onRequest', async (request, reply) => {
    const unmatched = request.is404 && deps.unmatchedRoute !== undefined && !isControlUrl(request.url) ? deps.unmatchedRoute : undefined;
    const route = request.routeOptions.config?.simRoute ?? unmatched;
    if (route === undefined) return;
    const state: InFlightRequest = {
      route,
      entry: deps.log.start({ at: iso(deps.clock.now()), method: request.method, url: request.url, route }),
      // Decided before any gate so the fault sequence depends only on the request sequence.
      decision: deps.faults.decide(route),
      startedAt: performance.now(),
      faultApplied: false,
    };
    inFlightRequests.set(request, state);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    reply.raw.once('close', () => {
      inFlight--;
    });

    const proxied = deps.front?.(request) ?? null;
    if (proxied !== null) {
      state.faultApplied = true;
      state.entry.answeredBy = 'proxy';
      reply.code(proxied.status).headers(proxied.headers ?? {}).send(proxied.body);
      return reply;
    }
    if (deps.admit?.(reply, inFlight) === true) return reply;
    if (state.decision.latencyMs > 0) await sleep(state.decision.latencyMs);
    if (state.decision.phase === 'before' && applyFault(request, reply, state)) return reply;
    return undefined;
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const state = inFlightRequests.get(request);
    if (state === undefined || state.faultApplied || state.decision.phase !== 'after') return payload;
    const { action, status } = state.decision;
    if (action === 'none') return payload;
    state.faultApplied = true;
    state.entry.fault = action;
    if (action === 'error' || action === 'rate_limit') {
      const answer = deps.injectedAnswer(state.route, action, status);
      reply.code(answer.status).headers({ 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      return wireBody(answer.body);
    }
    finish(state, null);
    const socket = request.raw.socket;
    if (action === 'drop') {
      socket.destroy();
      return payload;
    }
    // hang after the work is done: hold the answer until the socket goes away.
    if (!socket.destroyed) await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const state = inFlightRequests.get(request);
    if (state !== undefined && state.entry.durationMs === null) finish(state, reply.statusCode);
  });

  return {
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    reset() {
      maxInFlight = inFlight;
    },
  };
}
