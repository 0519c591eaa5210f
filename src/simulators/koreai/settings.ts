import { z } from 'zod';
import { rateLimitOverridesSchema } from './rate-limits.ts';

/**
 * What Kore.ai leaves undocumented, as explicit choices. Each default is the most plausible reading;
 * tests and sandbox users flip them to see how a client copes with the other readings.
 */
export const recordingDeletePolicySchema = z
  .object({
    /** Deleting while `call_in_progress`/`media_in_progress`: refuse (default) or answer success — and the media still appears later. */
    whileInProgress: z.enum(['reject', 'accept']).default('reject'),
    inProgressStatus: z.number().int().min(200).max(599).default(400),
    /** Deleting when there is no recording (none, already deleted, `media_unavailable`): 404 (default) or success. */
    whenNothing: z.enum(['reject', 'accept']).default('reject'),
    nothingStatus: z.number().int().min(200).max(599).default(404),
  })
  .strict();

export const koreaiSettingsSchema = z
  .object({
    /** Time from submission to the job's (off-peak) run (`scheduledAt`); hours upstream, seconds here. */
    jobDelayMs: z.number().int().min(0).default(2000),
    /**
     * With an hour (0..23): `scheduledAt` is the first `hh:00:00.000Z` at or after submission + `jobDelayMs`,
     * as in the seed's samples (submitted 17:49, scheduled 18:00). null: submission + `jobDelayMs`.
     */
    jobOffPeakHourUtc: z.number().int().min(0).max(23).nullable().default(null),
    /** Time a job spends running; while it runs its status is `in_progress`, a value Kore does not document. */
    jobRunMs: z.number().int().min(0).default(0),
    /** Share of jobs that end in an undocumented failure state (drawn from the seeded PRNG). */
    jobFailureRate: z.number().min(0).max(1).default(0),
    jobFailureStatus: z.string().min(1).default('failed'),
    /** `result.retriesRemaining` of a fresh job (the seed's samples show 3). */
    jobRetries: z.number().int().min(0).default(3),
    /**
     * Share of jobs (seeded PRNG, own stream) that report `completed` with some conversations failed
     * (`failedCount > 0`, those conversations kept) and retry them every `jobRetryDelayMs`.
     */
    jobPartialFailureRate: z.number().min(0).max(1).default(0),
    /** Share of a partially failing job's conversations that fail (at least one, the last ones processed). */
    jobPartialFailureShare: z.number().min(0).max(1).default(0.5),
    /** Time from a run with failures to its retry. Each retry lowers `retriesRemaining` by one. */
    jobRetryDelayMs: z.number().int().min(0).default(10_000),
    /**
     * The retry (1 = first) on which a partially failed job's conversations delete; null: never, so the job
     * ends `completed` with `failedCount > 0`, `retriesRemaining: 0`, and the conversations are NOT deleted.
     */
    jobRecoversOnRetry: z.number().int().min(1).nullable().default(1),
    /**
     * A job processes only its first N conversations (ids in the order sent, or a cId's conversations oldest
     * first) and leaves the rest untouched: `processedCount < totalConversations`, still `completed`. null: all.
     */
    jobProcessLimit: z.number().int().min(0).nullable().default(null),
    /**
     * How a channel-user job reads an `endDate` given as `YYYY-MM-DD`: `whole-day` (inclusive to the day's last
     * millisecond) or `midnight` (that day at 00:00:00.000Z, so conversations later that day are left out while
     * the job still says completed).
     */
    dateOnlyEndDate: z.enum(['whole-day', 'midnight']).default('whole-day'),
    /** The seed's sample reports deletedCount 89 for 3 conversations: `messages` reproduces that reading. */
    deletedCountUnit: z.enum(['conversations', 'messages']).default('conversations'),
    /** HTTP status of a rate-limited answer (undocumented; some tenants see 200 or 400 with the message). */
    rateLimitHttpStatus: z.number().int().min(200).max(599).default(429),
    /**
     * Body of a rate-limited answer: `errors` `{"errors":[{"msg","code":429}]}` (Kore's error shape), `msg`
     * `{"msg": …}`, `message` `{"message": …}`, or `text` (the message as text/plain).
     */
    rateLimitBodyShape: z.enum(['errors', 'msg', 'message', 'text']).default('errors'),
    /**
     * Its message: `per-window` names the window breached (per-minute or hourly); `generic` is always
     * "Rate limit for this API has been reached. Please try again after some time." Injected `rateLimitRate`
     * faults always use the generic text (no window was breached).
     */
    rateLimitMessage: z.enum(['per-window', 'generic']).default('per-window'),
    recordingDelete: recordingDeletePolicySchema.prefault({}),
    /**
     * A deletion that takes a while to show: after a successful DELETE, v2 still says `success` (and v1 still
     * returns the audio) for this long, then `media_unavailable`. A DELETE in that time answers 200 again.
     */
    recordingDeleteVisibleAfterMs: z.number().int().min(0).default(0),
    /** Size of the inline WAV in v1 recording answers, so clients can test how they cap large bodies. */
    v1AudioBytes: z.number().int().min(44).default(4096),
    /** getSessions refuses wider date windows (the docs speak of ~7-day windows); null: no limit. */
    getSessionsMaxWindowDays: z.number().positive().nullable().default(7),
    getSessionsMaxLimit: z.number().int().min(1).default(100),
    /**
     * getSessions' `dateTo`: `inclusive` (a session starting exactly at dateTo is in; a bare day is the whole
     * day) or `exclusive` (half-open `[dateFrom, dateTo)`; a bare day is that day's midnight, so the day is out).
     * `dateFrom` is always inclusive.
     */
    getSessionsDateTo: z.enum(['inclusive', 'exclusive']).default('inclusive'),
    /**
     * In Kore.ai a conversation is a session (the gateway's assumption): seeding a session also makes a
     * conversation with the same id, so a deletion job by session ids deletes them. false: the conversation
     * gets a different id, and a job by session ids skips them all. Applies when sessions are seeded.
     */
    sessionsAreConversations: z.boolean().default(true),
    /**
     * Once a session's conversation is deleted, getSessions still lists the session (`listed`) or no longer
     * does (`hidden`). Its recording is separate either way and stays until deleted.
     */
    sessionAfterConversationDelete: z.enum(['listed', 'hidden']).default('listed'),
  })
  .strict();

export type KoreaiSettings = z.infer<typeof koreaiSettingsSchema>;
export type KoreaiSettingsInput = z.input<typeof koreaiSettingsSchema>;

type RecordingDeletePolicyInput = z.input<typeof recordingDeletePolicySchema>;
export type KoreaiSettingsPatch = Omit<Partial<KoreaiSettingsInput>, 'recordingDelete'> & { recordingDelete?: Partial<RecordingDeletePolicyInput> };

/**
 * Merges a patch onto the current settings. (Not a `.partial()` schema: zod 4 would fill in every default
 * and so reset the settings the patch does not name.)
 */
export function patchKoreaiSettings(current: KoreaiSettings, patch: KoreaiSettingsPatch): KoreaiSettings {
  const given = (typeof patch === 'object' && patch !== null ? patch : {}) as Record<string, unknown>;
  const policy = given.recordingDelete;
  return koreaiSettingsSchema.parse({
    ...current,
    ...given,
    recordingDelete: typeof policy === 'object' && policy !== null ? { ...current.recordingDelete, ...policy } : (policy ?? current.recordingDelete),
  });
}

export const koreaiBotSchema = z
  .object({
    botId: z.string().min(1),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    /** The JWT app's "enforce JTI" option: unique `jti` per token and `exp ≤ iat + 1 h`. */
    enforceJti: z.boolean().default(false),
    /** Overrides of the simulator-wide limits for this bot. */
    rateLimits: rateLimitOverridesSchema.optional(),
  })
  .strict();

export type KoreaiBot = z.infer<typeof koreaiBotSchema>;
export type KoreaiBotInput = z.input<typeof koreaiBotSchema>;
