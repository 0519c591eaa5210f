import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock.ts';
import { createFaultInjector, DEFAULT_FAULT_SEED, type FaultPlan } from '../faults.ts';
import { namedStream } from '../prng.ts';
import { createRequestLog } from '../request-log.ts';
import { buildSimulatorApp, serverLifecycle, type SimulatorServer } from '../simulator-app.ts';
import { installTraffic } from '../traffic.ts';
import { createKoreaiControl, type KoreaiControl, type KoreaiCore } from './control.ts';
import { KOREAI_MESSAGES, koreaiErrorBody, koreaiRateLimitAnswer, sendKoreaiError } from './errors.ts';
import { installKoreaiGuard } from './guard.ts';
import { createJobRunner } from './jobs.ts';
import { rateLimitConfigSchema, type RateLimitConfig } from './rate-limits.ts';
import { registerKoreaiControlRoutes } from './routes-control.ts';
import { registerConversationRoutes } from './routes-conversations.ts';
import { registerRecordingRoutes } from './routes-recordings.ts';
import { registerSessionRoutes } from './routes-sessions.ts';
import type { SessionQuery } from './context.ts';
import { koreaiBotSchema, koreaiSettingsSchema, type KoreaiBotInput, type KoreaiSettingsInput } from './settings.ts';
import { createBotState, type BotState, type KoreaiDeletions } from './store.ts';

/** Documented prefix first; the seeds' samples use the second. Every route answers under both. */
export const KOREAI_PATH_PREFIXES = ['/api/public/bot/:botId', '/api/1.1/public/bot/:botId'] as const;

export type KoreaiSimulatorOptions = {
  bots?: KoreaiBotInput[];
  clock?: Clock;
  faults?: FaultPlan;
  settings?: KoreaiSettingsInput;
  /** Simulator-wide default limits (per bot): 60/minute and 1,800/hour unless given. */
  rateLimits?: Partial<RateLimitConfig>;
  logger?: boolean;
  newUuid?: () => string;
  requestLogLimit?: number;
  /** Let non-loopback callers use `/_sim` (e.g. inside a container network). */
  allowRemoteControl?: boolean;
};

export type KoreaiSimulator = SimulatorServer & { control: KoreaiControl };

export function createKoreaiSimulator(options: KoreaiSimulatorOptions = {}): KoreaiSimulator {
  const clock = options.clock ?? systemClock;
  const initialSettings = koreaiSettingsSchema.parse(options.settings ?? {});
  const initialBots = (options.bots ?? []).map((bot) => koreaiBotSchema.parse(bot));
  const defaultLimits = rateLimitConfigSchema.parse(options.rateLimits ?? {});
  const faults = createFaultInjector(options.faults);
  const log = createRequestLog(options.requestLogLimit);
  const bots = new Map<string, BotState>();
  const deletions: KoreaiDeletions = { conversations: [], recordings: [] };
  const sessionQueries: SessionQuery[] = [];
  let jobOutcomes = namedStream(faults.plan().seed ?? DEFAULT_FAULT_SEED, 'koreai.jobs.outcome');
  let jobPartials = namedStream(faults.plan().seed ?? DEFAULT_FAULT_SEED, 'koreai.jobs.partial');

  const jobs = createJobRunner({
    settings: () => core.settings,
    bot: (botId) => bots.get(botId),
    newUuid: options.newUuid ?? randomUUID,
    outcomeDraw: () => jobOutcomes(),
    partialDraw: () => jobPartials(),
    deletions,
  });

  const app = buildSimulatorApp({ logger: options.logger, sendVendorError: (reply, status, msg) => sendKoreaiError(reply, status, msg) });
  const traffic = installTraffic(app, {
    clock,
    faults,
    log,
    injectedAnswer: (_route, action, status) =>
      action === 'rate_limit'
        ? koreaiRateLimitAnswer(core.settings.rateLimitBodyShape, core.settings.rateLimitHttpStatus, KOREAI_MESSAGES.rateLimited)
        : { status, body: koreaiErrorBody(KOREAI_MESSAGES.serverError, status) },
  });

  const core: KoreaiCore = {
    clock,
    bots,
    deletions,
    sessionQueries,
    jobs,
    faults,
    log,
    traffic,
    defaultLimits,
    settings: initialSettings,
    reseedStreams() {
      jobOutcomes = namedStream(faults.plan().seed ?? DEFAULT_FAULT_SEED, 'koreai.jobs.outcome');
      jobPartials = namedStream(faults.plan().seed ?? DEFAULT_FAULT_SEED, 'koreai.jobs.partial');
    },
    restoreInitial() {
      bots.clear();
      for (const bot of initialBots) bots.set(bot.botId, createBotState(bot, defaultLimits));
      deletions.conversations.length = 0;
      deletions.recordings.length = 0;
      sessionQueries.length = 0;
      jobs.reset();
      log.reset();
      traffic.reset();
      core.settings = initialSettings;
      faults.setPlan(options.faults ?? {});
      faults.reset();
      core.reseedStreams();
    },
  };
  core.restoreInitial();
  const control = createKoreaiControl(core);

  for (const prefix of KOREAI_PATH_PREFIXES) {
    app.register(
      async (scope) => {
        const shared = { clock, settings: () => core.settings, bot: (id: string) => bots.get(id), jobs, deletions, sessionQueries };
        const ctx = { ...shared, botOf: installKoreaiGuard(scope, shared) };
        registerConversationRoutes(scope, ctx);
        registerRecordingRoutes(scope, ctx);
        registerSessionRoutes(scope, ctx);
      },
      { prefix },
    );
  }
  app.register(async (scope) => registerKoreaiControlRoutes(scope, control, options.allowRemoteControl ?? false), { prefix: '/_sim' });

  return { app, ...serverLifecycle(app), control };
}
