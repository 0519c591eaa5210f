// `cartesia.discovery`: a person's calls at Cartesia, one call per execution — a page of an agent's calls
// (GET /agents/calls) or an agent's lookup (GET /agents/{agent_id}) — resumed from the cursor in the task's
// upstream reference, so every call spends one pacing permit and a crashed worker resumes page by page.
import type { CartesiaDiscoveryLocator } from '../../domain/discovery.ts';
import type { Outcome } from '../../domain/outcome.ts';
import type { ExecutionContext, ExecutionResult, TaskExecutor } from '../../domain/task-execution.ts';
import { clientForTask } from '../client-for-task.ts';
import { discoveryEvents } from '../discovery-events.ts';
import { classifyAgentAnswer, classifyCallsAnswer } from './calls-page.ts';
import { CALLS_PAGE_SIZE, cartesiaAgentExistsStep, cartesiaListStep, initialCartesiaState, readCartesiaState, summary, type CartesiaDiscoveryState } from './call-discovery.ts';
import { callCartesia, type CartesiaClient } from './client.ts';

function readLocator(locator: Record<string, unknown>): CartesiaDiscoveryLocator | null {
  const { agentIds, since, until, phones, metadata } = locator;
  if (!Array.isArray(agentIds) || agentIds.length === 0 || !agentIds.every((a) => typeof a === 'string')) return null;
  if (typeof since !== 'string' || typeof until !== 'string' || Number.isNaN(Date.parse(since))) return null;
  // Purged: the phones and metadata are gone, and there is nothing left to match.
  if (!Array.isArray(phones) && (metadata === undefined || metadata === null)) return null;
  return locator as CartesiaDiscoveryLocator;
}

/** A failure keeps what was searched until then (the evidence shows it). */
const withSummary = (outcome: Outcome, state: CartesiaDiscoveryState): Outcome =>
  outcome.kind === 'failed' ? { ...outcome, upstreamRef: { discovery: summary(state) } } : outcome;

export function cartesiaDiscoverCalls(clients: ReadonlyMap<string, CartesiaClient>): TaskExecutor {
  return {
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const client = clientForTask(clients, ctx);
      if ('outcome' in client) return client;
      const locator = readLocator(ctx.task.locator);
      if (locator === null) {
        return { outcome: { kind: 'failed', error: { kind: 'gateway', code: 'bad_locator', message: 'discovery task without its agents, numbers or metadata (purged?)' } } };
      }
      const state = readCartesiaState(ctx.task.upstreamRef) ?? initialCartesiaState(locator);
      const agentId = state.agents[state.agent]?.agentId;
      if (agentId === undefined) {
        return { outcome: { kind: 'failed', error: { kind: 'gateway', code: 'bad_cursor', message: 'discovery cursor past its last agent' } } };
      }
      if (state.lookup) {
        // The call is about the agent: its id stands where a call task's call id would.
        return callCartesia(client, ctx, agentId, {
          operation: 'agent.get',
          method: 'GET',
          path: `/agents/${encodeURIComponent(agentId)}`,
          template: '/agents/{agent_id}',
          classify: (res, { now }) => {
            const answer = classifyAgentAnswer(res, now, agentId);
            return answer.kind === 'exists' ? cartesiaAgentExistsStep(state).outcome : withSummary(answer.outcome, state);
          },
        });
      }
      const query = new URLSearchParams({ agent_id: agentId, limit: String(CALLS_PAGE_SIZE) });
      if (state.startingAfter !== null) query.set('starting_after', state.startingAfter);
      return callCartesia(client, ctx, agentId, {
        operation: 'calls.list',
        method: 'GET',
        path: `/agents/calls?${query.toString()}`,
        template: state.startingAfter === null ? '/agents/calls?agent_id={agent_id}' : '/agents/calls?agent_id={agent_id}&starting_after={call_id}',
        classify: (res, { now }) => {
          const answer = classifyCallsAnswer(res, now, agentId, CALLS_PAGE_SIZE);
          return answer.kind === 'page' ? cartesiaListStep(locator, state, answer.page).outcome : withSummary(answer.outcome, state);
        },
      });
    },
    settlementEvents: discoveryEvents,
  };
}
