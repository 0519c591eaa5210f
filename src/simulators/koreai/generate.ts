import { z } from 'zod';
import { iso } from '../clock.ts';
import { namedStream } from '../prng.ts';
import { DAY_MS } from './dates.ts';
import type { RecordingStatus } from './recordings.ts';
import { seedSessions, type BotState, type SessionSeed } from './store.ts';

const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO timestamp');

/** Options of `generateSessions` / `POST /_sim/bots/{botId}/generate`. */
export const koreaiGenerateSchema = z
  .object({
    /** The same seed (and options) gives the same ids, times and statuses. */
    seed: z.number().int().default(1),
    /** The users, by Kore.ai userId; omitted: `users` made-up ones (e-mail addresses and enterprise ids). */
    userIds: z.array(z.string().min(1)).min(1).optional(),
    users: z.number().int().min(1).max(1000).default(5),
    /** The users' channel user ids, in the same order (null: their conversations carry none); omitted: made up. */
    cIds: z.array(z.string().min(1).nullable()).optional(),
    /** Sessions spread over this many days before `until`. */
    days: z.number().positive().max(3650).default(120),
    /** End of the period; default: the simulator's clock. */
    until: timestamp.optional(),
    sessionsPerUser: z
      .object({ min: z.number().int().min(0), max: z.number().int().min(0) })
      .strict()
      .refine((range) => range.min <= range.max, 'min must not exceed max')
      .default({ min: 8, max: 30 }),
    /** Share of voice sessions (channel `korevg`, with a recording); the rest are chats without one. */
    voiceShare: z.number().min(0).max(1).default(0.7),
    /** Share of voice sessions whose recording is `media_unavailable` (never recorded); the rest are `success`. */
    unavailableShare: z.number().min(0).max(1).default(0.15),
    /** Share of sessions that start exactly at a UTC midnight (window-boundary cases). */
    midnightShare: z.number().min(0).max(1).default(0.05),
    /**
     * Users (the first N) whose newest session is a voice call still going on (started 2 minutes before
     * generating, whatever `until` says): `call_in_progress`, then
     * `media_in_progress` after 60 s and `success` after 120 s (from the time of generating).
     */
    inProgress: z.number().int().min(0).default(1),
  })
  .strict();

export type KoreaiGenerateOptions = z.input<typeof koreaiGenerateSchema>;

export type KoreaiGeneratedUser = {
  userId: string;
  /** The channel user id on the user's conversations (for deletion by `cId`); null if they carry none. */
  cId: string | null;
  /** Oldest first. */
  sessionIds: string[];
  /** The conversations made with those sessions (same ids when `sessionsAreConversations`). */
  conversationIds: string[];
  /** Session ids by the recording status at generation time. */
  recordings: Partial<Record<RecordingStatus, string[]>>;
};

export type KoreaiGenerated = { botId: string; from: string; until: string; users: KoreaiGeneratedUser[] };

const INTENTS = ['billing', 'address_change', 'order_status', 'cancel_subscription', 'technical_support', 'other'];
const CHAT_CHANNELS = ['rtm', 'msteams', 'whatsapp'];

function hex(draw: () => number, digits: number): string {
  let out = '';
  while (out.length < digits) out += Math.floor(draw() * 0x10000).toString(16).padStart(4, '0');
  return out.slice(0, digits);
}

/** Made-up users: half e-mail addresses, half enterprise ids, as Kore.ai userIds are either. */
export function generatedUserId(index: number): string {
  return index % 2 === 0 ? `user.${String(index + 1).padStart(3, '0')}@example.com` : `EMP-${100_000 + index + 1}`;
}

/**
 * Months of data for several users: sessions (voice with recordings in various statuses, and chats), each
 * with its conversation, seeded into the bot. Answers which ids belong to whom, so a test can count what a
 * client found and deleted for exactly one user.
 */
export function generateSessions(state: BotState, input: KoreaiGenerateOptions, nowMs: number, sessionsAreConversations: boolean): KoreaiGenerated {
  const options = koreaiGenerateSchema.parse(input);
  const draw = namedStream(options.seed, `koreai.generate:${state.bot.botId}`);
  const until = options.until === undefined ? nowMs : Date.parse(options.until);
  const from = until - options.days * DAY_MS;
  const userIds = options.userIds ?? Array.from({ length: options.users }, (_, i) => generatedUserId(i));
  const taken = new Set(state.sessions.keys());
  const users: KoreaiGeneratedUser[] = [];

  userIds.forEach((userId, userIndex) => {
    const madeUp = `u-${hex(draw, 8)}-${hex(draw, 4)}-4${hex(draw, 3)}-8${hex(draw, 3)}-${hex(draw, 12)}`;
    const given = options.cIds?.[userIndex];
    const cId = given === undefined ? madeUp : given;
    const { min, max } = options.sessionsPerUser;
    const count = min + Math.floor(draw() * (max - min + 1));
    const starts: number[] = [];
    for (let i = 0; i < count; i++) {
      let start = from + Math.floor(draw() * (until - from));
      if (draw() < options.midnightShare) start = Math.floor(start / DAY_MS) * DAY_MS;
      starts.push(Math.max(from, start));
    }
    starts.sort((a, b) => a - b);
    const seeds: SessionSeed[] = [];
    const recordings: Partial<Record<RecordingStatus, string[]>> = {};
    starts.forEach((start, i) => {
      const voiceDraw = draw();
      const ongoing = userIndex < options.inProgress && i === starts.length - 1;
      const voice = ongoing || voiceDraw < options.voiceShare;
      const startTime = ongoing ? nowMs - 120_000 : start;
      // Like a Mongo ObjectId: the start time in seconds, then random digits.
      let sessionId: string;
      do sessionId = Math.floor(startTime / 1000).toString(16).padStart(8, '0') + hex(draw, 16);
      while (taken.has(sessionId));
      taken.add(sessionId);
      const durationMs = (2 + Math.floor(draw() * 25)) * 60_000;
      const tags = { intent: INTENTS[Math.floor(draw() * INTENTS.length)] };
      const messageCount = 3 + Math.floor(draw() * 58);
      let recording: SessionSeed['recording'];
      let status: RecordingStatus | null = null;
      if (ongoing) {
        status = 'call_in_progress';
        recording = {
          status,
          transitions: [
            { afterMs: 60_000, status: 'media_in_progress' },
            { afterMs: 120_000, status: 'success' },
          ],
        };
      } else if (voice) {
        status = draw() < options.unavailableShare ? 'media_unavailable' : 'success';
        recording = status === 'success' ? { status } : undefined;
      }
      const channel = voice ? 'korevg' : (CHAT_CHANNELS[Math.floor(draw() * CHAT_CHANNELS.length)] ?? 'rtm');
      seeds.push({
        sessionId,
        userId,
        ...(cId === null ? {} : { cId }),
        channel,
        startTime: iso(startTime),
        endTime: ongoing ? null : iso(startTime + durationMs),
        tags,
        messageCount,
        ...(recording === undefined ? {} : { recording }),
      });
      if (status !== null) (recordings[status] ??= []).push(sessionId);
    });
    seedSessions(state, seeds, nowMs, sessionsAreConversations);
    const sessionIds = seeds.map((seed) => seed.sessionId);
    users.push({
      userId,
      cId,
      sessionIds,
      conversationIds: sessionIds.map((id) => state.sessions.get(id)?.conversationId).filter((id): id is string => typeof id === 'string'),
      recordings,
    });
  });
  return { botId: state.bot.botId, from: iso(from), until: iso(until), users };
}
