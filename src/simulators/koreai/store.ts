import { createHash } from 'node:crypto';
import { z } from 'zod';
import { resolveTimeSpec } from '../clock.ts';
import { createJtiRegistry, type JtiRegistry } from './auth.ts';
import { parseKoreaiDate } from './dates.ts';
import { createBotRateLimiter, rateLimitConfigSchema, type BotRateLimiter, type RateLimitConfig } from './rate-limits.ts';
import { RECORDING_STATUSES, type RecordingTimeline } from './recordings.ts';
import type { KoreaiBot } from './settings.ts';
import type { Job } from './job-types.ts';

export type Conversation = {
  id: string;
  cId: string | null;
  at: number;
  messageCount: number;
  /** Deletion attempts (job runs or retries) that still fail for this conversation. */
  deleteFailuresLeft: number;
  /** The session this conversation was made for (see `sessionsAreConversations`), if any. */
  sessionId: string | null;
};

export type Session = {
  sessionId: string;
  userId: string;
  /** The channel user (`cId`) the session's conversation belongs to, if known. */
  cId: string | null;
  /** The conversation made with the session (same id when `sessionsAreConversations`), or null. */
  conversationId: string | null;
  channel: string;
  startTime: number;
  endTime: number | null;
  tags: Record<string, unknown>;
  recording: RecordingTimeline;
};

export type BotState = {
  bot: KoreaiBot;
  conversations: Map<string, Conversation>;
  sessions: Map<string, Session>;
  jobs: Map<string, Job>;
  limiter: BotRateLimiter;
  jtis: JtiRegistry;
};

export type KoreaiDeletions = {
  conversations: { botId: string; conversationId: string; jobId: string; at: string }[];
  recordings: { botId: string; sessionId: string; at: string }[];
};

export function botLimits(bot: KoreaiBot, defaults: RateLimitConfig): RateLimitConfig {
  return rateLimitConfigSchema.parse({ ...defaults, ...bot.rateLimits });
}

export function createBotState(bot: KoreaiBot, defaultLimits: RateLimitConfig): BotState {
  return {
    bot,
    conversations: new Map(),
    sessions: new Map(),
    jobs: new Map(),
    limiter: createBotRateLimiter(botLimits(bot, defaultLimits)),
    jtis: createJtiRegistry(),
  };
}

const kDate = z.string().refine((value) => parseKoreaiDate(value, 'start') !== null, 'expected YYYY-MM-DD or an ISO timestamp');
const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO timestamp');
const timeSpec = { at: timestamp.optional(), afterMs: z.number().int().min(0).optional() };

export const conversationSeedSchema = z
  .object({
    id: z.string().min(1),
    /** The channel user the conversation belongs to (for deletion by `cId`). */
    cId: z.string().min(1).optional(),
    /** When it happened (`YYYY-MM-DD` or ISO); default: the seeding time. */
    date: kDate.optional(),
    /** Counted in `deletedCount` when `deletedCountUnit` is `messages`. */
    messageCount: z.number().int().min(0).default(1),
    /**
     * The first N attempts to delete it fail (it counts in `failedCount` and stays); a job retries after
     * `jobRetryDelayMs` while `retriesRemaining > 0`. More than the retries left: it is never deleted.
     */
    deleteFailures: z.number().int().min(0).default(0),
  })
  .strict();

export const sessionSeedSchema = z
  .object({
    sessionId: z.string().min(1),
    userId: z.string().min(1),
    /** The channel user of the session's conversation (for deletion by `cId`). */
    cId: z.string().min(1).optional(),
    /**
     * The session's conversation: omitted → made by the `sessionsAreConversations` setting (same id as the
     * session, or a different one); a string → that id; null → no conversation. An existing one is linked, not replaced.
     */
    conversationId: z.string().min(1).nullable().optional(),
    /** Messages in the session's conversation (for `deletedCountUnit: messages`). */
    messageCount: z.number().int().min(0).default(1),
    channel: z.string().min(1).default('korevg'),
    startTime: timestamp.optional(),
    endTime: timestamp.nullable().optional(),
    tags: z.record(z.string(), z.unknown()).default({}),
    /** Omitted: the session has no recording (`media_unavailable`). */
    recording: z
      .object({
        status: z.enum(RECORDING_STATUSES).default('success'),
        /** e.g. call_in_progress → media_in_progress → success: a call that ends later. */
        transitions: z.array(z.object({ ...timeSpec, status: z.enum(RECORDING_STATUSES) }).strict()).default([]),
        audioBytes: z.number().int().min(44).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ConversationSeed = z.input<typeof conversationSeedSchema>;
export type SessionSeed = z.input<typeof sessionSeedSchema>;

export function seedConversations(state: BotState, seeds: ConversationSeed[], nowMs: number): void {
  for (const seed of z.array(conversationSeedSchema).parse(seeds)) {
    state.conversations.set(seed.id, {
      id: seed.id,
      cId: seed.cId ?? null,
      at: seed.date === undefined ? nowMs : (parseKoreaiDate(seed.date, 'start') ?? nowMs),
      messageCount: seed.messageCount,
      deleteFailuresLeft: seed.deleteFailures,
      sessionId: null,
    });
  }
}

const FIVE_MINUTES = 300_000;

/** The id of a session's conversation when sessions and conversations are different things: 24 hex digits. */
export function conversationIdForSession(botId: string, sessionId: string): string {
  return createHash('sha1').update(`conversation:${botId}:${sessionId}`).digest('hex').slice(0, 24);
}

export function seedSessions(state: BotState, seeds: SessionSeed[], nowMs: number, sessionsAreConversations = true): void {
  for (const seed of z.array(sessionSeedSchema).parse(seeds)) {
    const recording = seed.recording;
    const startTime = seed.startTime === undefined ? nowMs - 2 * FIVE_MINUTES : Date.parse(seed.startTime);
    const callOngoing = recording?.status === 'call_in_progress';
    const endTime =
      seed.endTime === undefined ? (callOngoing ? null : startTime + FIVE_MINUTES) : seed.endTime === null ? null : Date.parse(seed.endTime);
    const conversationId =
      seed.conversationId !== undefined
        ? seed.conversationId
        : sessionsAreConversations
          ? seed.sessionId
          : conversationIdForSession(state.bot.botId, seed.sessionId);
    if (conversationId !== null && !state.conversations.has(conversationId)) {
      state.conversations.set(conversationId, {
        id: conversationId,
        cId: seed.cId ?? null,
        at: startTime,
        messageCount: seed.messageCount,
        deleteFailuresLeft: 0,
        sessionId: seed.sessionId,
      });
    }
    state.sessions.set(seed.sessionId, {
      sessionId: seed.sessionId,
      userId: seed.userId,
      cId: seed.cId ?? null,
      conversationId,
      channel: seed.channel,
      startTime,
      endTime,
      tags: seed.tags,
      recording: {
        initial: recording?.status ?? 'media_unavailable',
        transitions: (recording?.transitions ?? [])
          .map((transition) => ({ at: resolveTimeSpec(transition, nowMs), status: transition.status }))
          .sort((a, b) => a.at - b.at),
        deletedAt: null,
        goneAt: null,
        audioBytes: recording?.audioBytes ?? null,
      },
    });
  }
}
