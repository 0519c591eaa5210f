import type { FastifyReply } from 'fastify';
import { systemClock, type Clock } from '../clock.ts';
import { createFaultInjector, type FaultPlan } from '../faults.ts';
import { createRequestLog } from '../request-log.ts';
import { buildSimulatorApp, serverLifecycle, type SimulatorServer } from '../simulator-app.ts';
import { installTraffic, type InjectedAnswer } from '../traffic.ts';
import type { CallRecord } from './calls.ts';
import { createCartesiaControl, type CartesiaControl, type CartesiaCore } from './control.ts';
import { CARTESIA_ERRORS, cartesiaErrorBody, PROXY_PAGES, sendCartesiaError } from './errors.ts';
import { installCartesiaGuard } from './guard.ts';
import { registerAgentRoutes } from './routes-agents.ts';
import { registerCallRoutes } from './routes-calls.ts';
import { registerCartesiaControlRoutes } from './routes-control.ts';
import { cartesiaSettingsSchema, type CartesiaSettingsInput } from './settings.ts';

export type CartesiaSimulatorOptions = {
  /** The one API key accepted as `Authorization: Bearer <key>`. */
  apiKey: string;
  clock?: Clock;
  faults?: FaultPlan;
  settings?: CartesiaSettingsInput;
  logger?: boolean;
  requestLogLimit?: number;
  /** Let non-loopback callers use `/_sim` (e.g. inside a container network). */
  allowRemoteControl?: boolean;
};

export type CartesiaSimulator = SimulatorServer & { control: CartesiaControl };

export function createCartesiaSimulator(options: CartesiaSimulatorOptions): CartesiaSimulator {
  const clock = options.clock ?? systemClock;
  const initialSettings = cartesiaSettingsSchema.parse(options.settings ?? {});
  const faults = createFaultInjector(options.faults);
  const log = createRequestLog(options.requestLogLimit);
  const calls = new Map<string, CallRecord>();

  const tooManyRequests = (): InjectedAnswer => {
    core.counters.tooManyRequests++;
    const headers: Record<string, string> = {};
    if (core.settings.retryAfterMs !== null) headers['retry-after-ms'] = String(core.settings.retryAfterMs);
    if (core.settings.retryAfterSeconds !== null) headers['retry-after'] = String(core.settings.retryAfterSeconds);
    return { status: 429, headers, body: cartesiaErrorBody(CARTESIA_ERRORS.concurrencyLimited) };
  };

  // A path that is no API route: not Cartesia's JSON error (unless told), so it differs from an unknown call.
  const sendRouteNotFound = (reply: FastifyReply) => {
    switch (core.settings.routeNotFoundBody) {
      case 'json-detail':
        return reply.code(404).send({ detail: 'Not Found' });
      case 'text':
        return reply.code(404).type('text/plain; charset=utf-8').send('Not Found');
      case 'cartesia-json':
        return sendCartesiaError(reply, CARTESIA_ERRORS.routeNotFound);
    }
  };
  const app = buildSimulatorApp({
    logger: options.logger,
    sendVendorError: (reply, status, message) =>
      status === 404
        ? sendCartesiaError(reply, CARTESIA_ERRORS.routeNotFound)
        : sendCartesiaError(reply, { status, error_code: status >= 500 ? null : 'invalid_request', title: status >= 500 ? 'Internal server error' : 'Bad request', message }),
    sendNotFound: (_request, reply) => sendRouteNotFound(reply),
  });
  const traffic = installTraffic(app, {
    clock,
    faults,
    log,
    injectedAnswer(route, action, status) {
      if (action === 'rate_limit') return tooManyRequests();
      const error = route === 'cartesia.calls.delete' ? CARTESIA_ERRORS.deletionIncomplete : CARTESIA_ERRORS.internal;
      return { status, body: cartesiaErrorBody(error) };
    },
    unmatchedRoute: 'cartesia.unmatched',
    front() {
      if (core.settings.proxy === null) return null;
      core.counters.proxyAnswered++;
      const page = PROXY_PAGES[core.settings.proxy];
      return { status: page.status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page.body };
    },
    admit(reply, inFlight) {
      const limit = core.settings.concurrencyLimit;
      if (limit === null || inFlight <= limit) return false;
      core.counters.concurrencyLimited++;
      const answer = tooManyRequests();
      reply.code(answer.status).headers(answer.headers ?? {}).send(answer.body);
      return true;
    },
  });

  const core: CartesiaCore = {
    clock,
    calls,
    agents: new Set(),
    deleted: [],
    cancelled: [],
    cancelNotHonoured: [],
    deleteNotApplied: [],
    counters: { tooManyRequests: 0, concurrencyLimited: 0, proxyAnswered: 0 },
    faults,
    log,
    traffic,
    settings: initialSettings,
    restoreInitial() {
      calls.clear();
      core.agents.clear();
      core.deleted.length = 0;
      core.cancelled.length = 0;
      core.cancelNotHonoured.length = 0;
      core.deleteNotApplied.length = 0;
      core.counters.tooManyRequests = 0;
      core.counters.concurrencyLimited = 0;
      core.counters.proxyAnswered = 0;
      log.reset();
      traffic.reset();
      core.settings = initialSettings;
      faults.setPlan(options.faults ?? {});
      faults.reset();
    },
  };
  const control = createCartesiaControl(core);

  app.register(async (scope) => {
    installCartesiaGuard(scope, { apiKey: () => options.apiKey, settings: () => core.settings });
    registerCallRoutes(scope, {
      clock,
      settings: () => core.settings,
      calls,
      agents: core.agents,
      deleted: core.deleted,
      cancelled: core.cancelled,
      cancelNotHonoured: core.cancelNotHonoured,
      deleteNotApplied: core.deleteNotApplied,
    });
    registerAgentRoutes(scope, { clock, settings: () => core.settings, agents: core.agents, sendRouteNotFound });
  });
  app.register(async (scope) => registerCartesiaControlRoutes(scope, control, options.allowRemoteControl ?? false), { prefix: '/_sim' });

  return { app, ...serverLifecycle(app), control };
}
