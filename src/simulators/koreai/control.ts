import { iso, type Clock } from '../clock.ts';
import { controlError } from '../control-routes.ts';
import type { FaultCounts, FaultInjector, FaultPlan } from '../faults.ts';
import type { RequestLog, RequestLogEntry, RouteCounts } from '../request-log.ts';
import type { Traffic } from '../traffic.ts';
import { generateSessions, type KoreaiGenerated, type KoreaiGenerateOptions } from './generate.ts';
import type { SessionQuery } from './context.ts';
import type { JobRunner, JobView } from './jobs.ts';
import { rateLimitOverridesSchema, type RateLimitBreaches, type RateLimitConfig, type RateLimitOverrides } from './rate-limits.ts';
import { recordingStatusAt, type RecordingStatus } from './recordings.ts';
import { koreaiBotSchema, patchKoreaiSettings, type KoreaiBotInput, type KoreaiSettings, type KoreaiSettingsPatch } from './settings.ts';
import {
  botLimits,
  createBotState,
  seedConversations,
  seedSessions,
  type BotState,
  type ConversationSeed,
  type KoreaiDeletions,
  type SessionSeed,
} from './store.ts';

export type KoreaiBreaches = Record<string, Omit<RateLimitBreaches, 'blockedUntil'> & { blockedUntil: string | null }>;

export type KoreaiBotSnapshot = {
  botId: string;
  conversations: { id: string; cId: string | null; date: string; sessionId: string | null }[];
  sessions: {
    sessionId: string;
    userId: string;
    cId: string | null;
    channel: string;
    startTime: string;
    recordingStatus: RecordingStatus;
    /** The session's conversation id, and whether it is still held. */
    conversationId: string | null;
    conversationHeld: boolean;
  }[];
  jobs: JobView[];
};

export type KoreaiReport = {
  requests: RouteCounts;
  faultsInjected: FaultCounts;
  deleted: KoreaiDeletions;
  breaches: KoreaiBreaches;
  maxConcurrency: number;
  inFlight: number;
};

/** Programmatic control of the Kore.ai simulator; `/_sim/…` exposes the same operations over HTTP. */
export type KoreaiControl = {
  reset(): void;
  faults(): FaultPlan;
  /** Adds a bot, or replaces an existing bot's credentials and limits (its data stays). */
  addBot(bot: KoreaiBotInput): void;
  seedConversations(botId: string, conversations: ConversationSeed[]): void;
  seedSessions(botId: string, sessions: SessionSeed[]): void;
  /** Months of made-up sessions (with recordings and conversations) for several users; answers who owns what. */
  generateSessions(botId: string, options?: KoreaiGenerateOptions): KoreaiGenerated;
  setBotLimits(botId: string, limits: RateLimitOverrides): RateLimitConfig;
  updateSettings(patch: KoreaiSettingsPatch): KoreaiSettings;
  settings(): KoreaiSettings;
  setFaults(plan: FaultPlan): void;
  requests(): { counts: RouteCounts; log: RequestLogEntry[] };
  deleted(): KoreaiDeletions;
  breaches(): KoreaiBreaches;
  botState(botId: string): KoreaiBotSnapshot;
  /** Every getSessions query answered since the last reset, oldest first (windows, pages, statuses). */
  sessionQueries(): SessionQuery[];
  report(): KoreaiReport;
};

/** Mutable simulator state the control API works on; owned by the simulator. */
export type KoreaiCore = {
  clock: Clock;
  bots: Map<string, BotState>;
  deletions: KoreaiDeletions;
  sessionQueries: SessionQuery[];
  jobs: JobRunner;
  faults: FaultInjector;
  log: RequestLog;
  traffic: Traffic;
  defaultLimits: RateLimitConfig;
  settings: KoreaiSettings;
  /** Back to the state at construction: initial bots (no data), settings and faults. */
  restoreInitial(): void;
  /** Re-seeds the job-outcome stream after the fault plan (and so perhaps the seed) changed. */
  reseedStreams(): void;
};

export function createKoreaiControl(core: KoreaiCore): KoreaiControl {
  const requireBot = (botId: string): BotState => {
    const state = core.bots.get(botId);
    if (state === undefined) throw controlError(404, `unknown bot ${botId}`);
    return state;
  };
  const settled = () => {
    const now = core.clock.now();
    core.jobs.settle(now);
    return now;
  };
  const breaches = (): KoreaiBreaches => {
    const now = core.clock.now();
    return Object.fromEntries(
      [...core.bots].map(([botId, state]) => {
        const counted = state.limiter.breaches(now);
        return [botId, { ...counted, blockedUntil: counted.blockedUntil === null ? null : iso(counted.blockedUntil) }];
      }),
    );
  };
  const deleted = (): KoreaiDeletions => {
    settled();
    return structuredClone(core.deletions);
  };

  return {
    addBot(input) {
      const bot = koreaiBotSchema.parse(input);
      const existing = core.bots.get(bot.botId);
      if (existing === undefined) {
        core.bots.set(bot.botId, createBotState(bot, core.defaultLimits));
        return;
      }
      existing.bot = bot;
      existing.limiter.configure(botLimits(bot, core.defaultLimits));
    },
    seedConversations: (botId, conversations) => seedConversations(requireBot(botId), conversations, core.clock.now()),
    seedSessions: (botId, sessions) => seedSessions(requireBot(botId), sessions, core.clock.now(), core.settings.sessionsAreConversations),
    generateSessions: (botId, options = {}) =>
      generateSessions(requireBot(botId), options, core.clock.now(), core.settings.sessionsAreConversations),
    setBotLimits(botId, limits) {
      const state = requireBot(botId);
      const overrides = rateLimitOverridesSchema.parse(limits);
      state.bot = { ...state.bot, rateLimits: { ...state.bot.rateLimits, ...overrides } };
      const applied = botLimits(state.bot, core.defaultLimits);
      state.limiter.configure(applied);
      return applied;
    },
    updateSettings(patch) {
      core.settings = patchKoreaiSettings(core.settings, patch);
      return core.settings;
    },
    settings: () => core.settings,
    setFaults(plan) {
      core.faults.setPlan(plan);
      core.reseedStreams();
    },
    faults: () => core.faults.plan(),
    reset: () => core.restoreInitial(),
    requests: () => ({ counts: core.log.counts(), log: core.log.entries() }),
    deleted,
    breaches,
    botState(botId) {
      const now = settled();
      const state = requireBot(botId);
      return {
        botId,
        conversations: [...state.conversations.values()].map((c) => ({ id: c.id, cId: c.cId, date: iso(c.at), sessionId: c.sessionId })),
        sessions: [...state.sessions.values()].map((s) => ({
          sessionId: s.sessionId,
          userId: s.userId,
          cId: s.cId,
          channel: s.channel,
          startTime: iso(s.startTime),
          recordingStatus: recordingStatusAt(s.recording, now),
          conversationId: s.conversationId,
          conversationHeld: s.conversationId !== null && state.conversations.has(s.conversationId),
        })),
        jobs: [...state.jobs.values()].map((job) => core.jobs.view(job, now)),
      };
    },
    sessionQueries: () => core.sessionQueries.map((q) => ({ ...q })),
    report: () => ({
      requests: core.log.counts(),
      faultsInjected: core.faults.injected(),
      deleted: deleted(),
      breaches: breaches(),
      maxConcurrency: core.traffic.maxInFlight(),
      inFlight: core.traffic.inFlight(),
    }),
  };
}
