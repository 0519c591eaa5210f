import { z } from 'zod';

const windowSchema = z.object({ max: z.number().int().min(1), windowMs: z.number().int().min(1) }).strict();

/** Kore.ai's documented per-bot limits: rolling 60/minute and 1,800/hour. */
export const rateLimitConfigSchema = z
  .object({
    perMinute: windowSchema.default({ max: 60, windowMs: 60_000 }),
    perHour: windowSchema.default({ max: 1800, windowMs: 3_600_000 }),
  })
  .strict();

export type RateLimitConfig = z.infer<typeof rateLimitConfigSchema>;

/** Per-bot overrides: only the windows named replace the simulator-wide ones (no defaults filled in). */
export const rateLimitOverridesSchema = z.object({ perMinute: windowSchema.optional(), perHour: windowSchema.optional() }).strict();
export type RateLimitOverrides = z.infer<typeof rateLimitOverridesSchema>;
export type RateLimitVerdict = 'ok' | 'per_minute' | 'hourly' | 'blocked';
export type RateLimitBreaches = { perMinute: number; hourly: number; refusedWhileBlocked: number; total: number; blockedUntil: number | null };

export type BotRateLimiter = {
  /** Counts one authenticated request and says whether it may proceed. */
  admit(nowMs: number): RateLimitVerdict;
  breaches(nowMs: number): RateLimitBreaches;
  configure(config: RateLimitConfig): void;
  config(): RateLimitConfig;
};

/**
 * Rolling windows over accepted requests; refused requests do not count towards a window, so a client
 * that backs off gets back in. Breaching the hourly window blocks the bot (every request refused) until that
 * window ends, i.e. until the oldest request it holds is one window length old.
 */
export function createBotRateLimiter(initial: RateLimitConfig): BotRateLimiter {
  let config = initial;
  let accepted: number[] = [];
  let blockedUntil: number | null = null;
  const counts = { perMinute: 0, hourly: 0, refusedWhileBlocked: 0 };

  return {
    admit(nowMs) {
      if (blockedUntil !== null && nowMs < blockedUntil) {
        counts.refusedWhileBlocked++;
        return 'blocked';
      }
      blockedUntil = null;
      const longest = Math.max(config.perHour.windowMs, config.perMinute.windowMs);
      accepted = accepted.filter((at) => at > nowMs - longest);
      const inWindow = (windowMs: number) => accepted.filter((at) => at > nowMs - windowMs);

      const hourWindow = inWindow(config.perHour.windowMs);
      if (hourWindow.length >= config.perHour.max) {
        counts.hourly++;
        blockedUntil = (hourWindow[0] ?? nowMs) + config.perHour.windowMs;
        return 'hourly';
      }
      if (inWindow(config.perMinute.windowMs).length >= config.perMinute.max) {
        counts.perMinute++;
        return 'per_minute';
      }
      accepted.push(nowMs);
      return 'ok';
    },
    breaches(nowMs) {
      const blocked = blockedUntil !== null && nowMs < blockedUntil ? blockedUntil : null;
      return { ...counts, total: counts.perMinute + counts.hourly + counts.refusedWhileBlocked, blockedUntil: blocked };
    },
    configure(next) {
      config = next;
    },
    config: () => config,
  };
}
