// `koreai.discovery`: a person's sessions at a Kore.ai bot, one getSessions page per execution (so every
// page spends one pacing permit, like any call), resumed from the cursor in the task's upstream reference.
import type { KoreaiDiscoveryLocator } from '../../domain/discovery.ts';
import type { ExecutionContext, ExecutionResult, TaskExecutor } from '../../domain/task-execution.ts';
import { clientForTask } from '../client-for-task.ts';
import { callKoreai, type KoreaiClient } from './client.ts';
import { classifySessionsAnswer } from './sessions-page.ts';
import { currentWindow, initialKoreaiState, koreaiDiscoveryStep, readKoreaiState, SESSIONS_PAGE_SIZE, summary } from './session-discovery.ts';
import { discoveryEvents } from '../discovery-events.ts';

function readLocator(locator: Record<string, unknown>): KoreaiDiscoveryLocator | null {
  const { userId, from, to, windowDays } = locator;
  if (typeof userId !== 'string' || typeof from !== 'string' || typeof to !== 'string' || typeof windowDays !== 'number') return null;
  if (Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to)) || windowDays <= 0) return null;
  return locator as KoreaiDiscoveryLocator;
}

export function koreaiDiscoverSessions(clients: ReadonlyMap<string, KoreaiClient>): TaskExecutor {
  return {
    async execute(ctx: ExecutionContext): Promise<ExecutionResult> {
      const client = clientForTask(clients, ctx);
      if ('outcome' in client) return client;
      const locator = readLocator(ctx.task.locator);
      if (locator === null) {
        // Purged (the subject's identifiers are gone) or not a discovery locator: nothing can be searched.
        return { outcome: { kind: 'failed', error: { kind: 'gateway', code: 'bad_locator', message: 'discovery task without its user id and range (purged?)' } } };
      }
      const state = readKoreaiState(ctx.task.upstreamRef) ?? initialKoreaiState(locator);
      const window = currentWindow(state);
      return callKoreai(client, ctx, {
        operation: 'sessions.list',
        method: 'POST',
        path: '/getSessions',
        template: '/getSessions',
        body: { userId: locator.userId, dateFrom: new Date(window.from).toISOString(), dateTo: new Date(window.to).toISOString(), skip: state.skip, limit: SESSIONS_PAGE_SIZE },
        // Where in the range this page was: the window and page, never the user.
        ref: () => ({ window: state.window + 1, windows: state.windows, skip: state.skip }),
        classify: (res, timings, now) => {
          const answer = classifySessionsAnswer(res, timings, now);
          if (answer.kind === 'page') return koreaiDiscoveryStep(ctx.task.id, locator, state, answer.page).outcome;
          // A failure keeps what was searched until then (the evidence shows it).
          return answer.outcome.kind === 'failed' ? { ...answer.outcome, upstreamRef: { discovery: summary(state) } } : answer.outcome;
        },
      });
    },
    settlementEvents: discoveryEvents,
  };
}
