import type { FastifyInstance, FastifyRequest } from 'fastify';
import { checkKoreaiAuth } from './auth.ts';
import { KOREAI_MESSAGES, koreaiRateLimitAnswer, sendKoreaiError } from './errors.ts';
import type { BotState } from './store.ts';
import type { KoreaiRouteContext } from './context.ts';

const RATE_LIMIT_MESSAGES = {
  per_minute: KOREAI_MESSAGES.perMinuteLimit,
  hourly: KOREAI_MESSAGES.hourlyLimit,
  blocked: KOREAI_MESSAGES.hourlyLimit,
} as const;

/**
 * In front of every Kore.ai route, in this order: unknown bot → 404, bad JWT → 401, then the bot's rate
 * limits. Only authenticated requests count towards the limits (and every one of those does, polls included).
 */
export function installKoreaiGuard(
  scope: FastifyInstance,
  ctx: Pick<KoreaiRouteContext, 'clock' | 'settings' | 'bot' | 'jobs'>,
): (request: FastifyRequest) => BotState {
  const resolved = new WeakMap<FastifyRequest, BotState>();

  scope.addHook('preHandler', async (request, reply) => {
    const now = ctx.clock.now();
    ctx.jobs.settle(now);
    const { botId } = request.params as { botId: string };
    const state = ctx.bot(botId);
    if (state === undefined) return sendKoreaiError(reply, 404, KOREAI_MESSAGES.unknownBot);

    const auth = checkKoreaiAuth(request.headers.auth, state.bot, state.jtis, now);
    if (!auth.ok) return sendKoreaiError(reply, 401, auth.msg);

    const verdict = state.limiter.admit(now);
    if (verdict !== 'ok') {
      const settings = ctx.settings();
      const msg = settings.rateLimitMessage === 'generic' ? KOREAI_MESSAGES.rateLimited : RATE_LIMIT_MESSAGES[verdict];
      const answer = koreaiRateLimitAnswer(settings.rateLimitBodyShape, settings.rateLimitHttpStatus, msg);
      return reply.code(answer.status).headers(answer.headers).send(answer.body);
    }

    resolved.set(request, state);
    return undefined;
  });

  return (request) => {
    const state = resolved.get(request);
    if (state === undefined) throw new Error('Kore.ai route reached without the guard');
    return state;
  };
}
