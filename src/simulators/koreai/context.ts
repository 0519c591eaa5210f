import type { FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { JobRunner } from './jobs.ts';
import type { KoreaiSettings } from './settings.ts';
import type { BotState, KoreaiDeletions } from './store.ts';

/** What the Kore.ai vendor routes need; built once by the simulator. */
export type KoreaiRouteContext = {
  clock: Clock;
  settings(): KoreaiSettings;
  bot(botId: string): BotState | undefined;
  jobs: JobRunner;
  deletions: KoreaiDeletions;
  /** The bot the guard resolved and authenticated for this request. */
  botOf(request: FastifyRequest): BotState;
};
