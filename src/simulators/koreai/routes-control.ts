import type { FastifyInstance } from 'fastify';
import { registerCommonControlRoutes } from '../control-routes.ts';
import type { KoreaiControl } from './control.ts';
import type { KoreaiGenerateOptions } from './generate.ts';
import type { RateLimitOverrides } from './rate-limits.ts';
import type { KoreaiBotInput } from './settings.ts';
import type { ConversationSeed, SessionSeed } from './store.ts';

/** Seeds come as `{"conversations":[…]}` / `{"sessions":[…]}` or as a bare list; the control functions validate them. */
const listIn = <T>(body: unknown, key: string): T[] => (Array.isArray(body) ? body : (body as Record<string, unknown> | undefined)?.[key]) as T[];
type BotParams = { botId: string };

/** `/_sim/…` for the Kore.ai simulator: the shared routes plus bots, their data, limits and breaches. */
export function registerKoreaiControlRoutes(scope: FastifyInstance, control: KoreaiControl, allowRemote: boolean): void {
  registerCommonControlRoutes(scope, control, allowRemote);
  scope.get('/breaches', async () => control.breaches());
  scope.get('/session-queries', async () => control.sessionQueries());
  scope.post('/bots', async (request, reply) => {
    const bot = request.body as KoreaiBotInput;
    control.addBot(bot);
    return reply.code(201).send({ botId: bot.botId });
  });
  scope.get<{ Params: BotParams }>('/bots/:botId', async (request) => control.botState(request.params.botId));
  scope.put<{ Params: BotParams }>('/bots/:botId/limits', async (request) =>
    control.setBotLimits(request.params.botId, (request.body ?? {}) as RateLimitOverrides),
  );
  scope.post<{ Params: BotParams }>('/bots/:botId/conversations', async (request, reply) => {
    control.seedConversations(request.params.botId, listIn<ConversationSeed>(request.body, 'conversations'));
    return reply.code(201).send({ seeded: true });
  });
  scope.post<{ Params: BotParams }>('/bots/:botId/generate', async (request, reply) =>
    reply.code(201).send(control.generateSessions(request.params.botId, (request.body ?? {}) as KoreaiGenerateOptions)),
  );
  scope.post<{ Params: BotParams }>('/bots/:botId/sessions', async (request, reply) => {
    control.seedSessions(request.params.botId, listIn<SessionSeed>(request.body, 'sessions'));
    return reply.code(201).send({ seeded: true });
  });
}
