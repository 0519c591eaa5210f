import type { FastifyInstance, FastifyReply } from 'fastify';
import { iso, type Clock } from '../clock.ts';
import { CARTESIA_ERRORS, sendCartesiaError } from './errors.ts';
import type { CartesiaSettings } from './settings.ts';

export type CartesiaAgentRouteContext = {
  clock: Clock;
  settings(): CartesiaSettings;
  /** Agents that exist: every agent of a seeded call, plus those added by `seedAgents`. */
  agents: Set<string>;
  /** Answers as a path that is no API route would (setting `agentLookup: 'route-missing'`). */
  sendRouteNotFound(reply: FastifyReply): FastifyReply;
};

/**
 * `GET /agents/{agent_id}` (Cartesia's "Get Agent", in the 2025-11-04 spec): an `AgentSummary` for an agent
 * that exists, 404 `not_found` "Agent not found." for one that does not (the answer for an unknown id is
 * undocumented; Cartesia's error shape is the plausible reading). The 2026-03-01 pages captured for this
 * project do not list the route, so `agentLookup: 'route-missing'` answers it as a path that is no route.
 */
export function registerAgentRoutes(scope: FastifyInstance, ctx: CartesiaAgentRouteContext): void {
  scope.get('/agents/:agentId', { config: { simRoute: 'cartesia.agents.get' } }, async (request, reply) => {
    if (ctx.settings().agentLookup === 'route-missing') return ctx.sendRouteNotFound(reply);
    const { agentId } = request.params as { agentId: string };
    if (!ctx.agents.has(agentId)) return sendCartesiaError(reply, CARTESIA_ERRORS.agentNotFound);
    const at = iso(ctx.clock.now());
    return reply.send({
      id: agentId,
      name: agentId,
      description: null,
      created_at: at,
      updated_at: at,
      tts_voice: null,
      tts_language: 'en',
      webhook_id: null,
      deleted_at: null,
      git_repository: null,
      git_deploy_branch: null,
      phone_numbers: [],
      has_text_to_agent_run: false,
      deployment_count: 1,
    });
  });
}
