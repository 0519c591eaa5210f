import type { FastifyInstance } from 'fastify';
import { iso } from '../clock.ts';
import { DAY_MS, parseKoreaiDate } from './dates.ts';
import { sendKoreaiError } from './errors.ts';
import type { KoreaiRouteContext } from './context.ts';

const DEFAULT_LIMIT = 50;
const DEFAULT_WINDOW_DAYS = 7;

const integerAtLeast = (value: unknown, min: number, fallback: number): number | null => {
  if (value === undefined || value === null) return fallback;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= min ? number : null;
};

/**
 * `POST …/getSessions`: a user's sessions in a date window, oldest first, paged with skip/limit.
 * Bounds: `dateFrom` inclusive; `dateTo` inclusive (setting `getSessionsDateTo: exclusive` makes it half-open);
 * a bare `YYYY-MM-DD` is a whole UTC day (as `dateTo` with `exclusive`: that day's midnight).
 * The window (dateTo − dateFrom) may be at most `getSessionsMaxWindowDays` days: 7 whole days pass.
 */
export function registerSessionRoutes(scope: FastifyInstance, ctx: KoreaiRouteContext): void {
  scope.post('/getSessions', { config: { simRoute: 'koreai.sessions.get' } }, async (request, reply) => {
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<string, unknown>;
    const settings = ctx.settings();
    const now = ctx.clock.now();
    const exclusiveTo = settings.getSessionsDateTo === 'exclusive';

    const toMs = body.dateTo === undefined ? now : parseKoreaiDate(body.dateTo, exclusiveTo ? 'start' : 'end');
    if (toMs === null) return sendKoreaiError(reply, 400, 'dateTo must be a date in YYYY-MM-DD format');
    const fromMs = body.dateFrom === undefined ? toMs - DEFAULT_WINDOW_DAYS * DAY_MS : parseKoreaiDate(body.dateFrom, 'start');
    if (fromMs === null) return sendKoreaiError(reply, 400, 'dateFrom must be a date in YYYY-MM-DD format');
    if (fromMs > toMs) return sendKoreaiError(reply, 400, 'dateFrom cannot be after dateTo');
    const maxDays = settings.getSessionsMaxWindowDays;
    const record = (status: number, skip = 0, limit = 0) =>
      ctx.sessionQueries.push({
        at: iso(now),
        botId: ctx.botOf(request).bot.botId,
        userIdGiven: typeof body.userId === 'string',
        dateFrom: iso(fromMs),
        dateTo: iso(toMs),
        windowMs: toMs - fromMs,
        skip,
        limit,
        status,
      });
    if (maxDays !== null && toMs - fromMs > maxDays * DAY_MS) {
      record(400);
      return sendKoreaiError(reply, 400, `The date range cannot exceed ${maxDays} days`);
    }
    const skip = integerAtLeast(body.skip, 0, 0);
    if (skip === null) return sendKoreaiError(reply, 400, 'skip must be a non-negative integer');
    // limit 0 would page forever (moreAvailable stays true): refused.
    const limit = integerAtLeast(body.limit, 1, DEFAULT_LIMIT);
    if (limit === null) return sendKoreaiError(reply, 400, 'limit must be a positive integer');
    const { userId } = body;
    if (userId !== undefined && typeof userId !== 'string') return sendKoreaiError(reply, 400, 'userId must be a string');

    record(200, skip, limit);
    const state = ctx.botOf(request);
    const hideDeleted = settings.sessionAfterConversationDelete === 'hidden';
    const matching = [...state.sessions.values()]
      .filter((s) => userId === undefined || s.userId === userId)
      .filter((s) => s.startTime >= fromMs && (exclusiveTo ? s.startTime < toMs : s.startTime <= toMs))
      .filter((s) => !hideDeleted || s.conversationId === null || state.conversations.has(s.conversationId))
      .sort((a, b) => a.startTime - b.startTime || a.sessionId.localeCompare(b.sessionId));
    // An oversize limit is clamped rather than refused; moreAvailable still tells the client to go on.
    const page = matching.slice(skip, skip + Math.min(limit, settings.getSessionsMaxLimit));
    return reply.send({
      total: matching.length,
      moreAvailable: skip + page.length < matching.length,
      sessions: page.map((s) => ({
        sessionId: s.sessionId,
        userId: s.userId,
        channel: s.channel,
        start_time: iso(s.startTime),
        end_time: s.endTime === null ? null : iso(s.endTime),
        tags: s.tags,
      })),
    });
  });
}
