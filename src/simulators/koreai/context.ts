import type { FastifyRequest } from 'fastify';
import type { Clock } from '../clock.ts';
import type { JobRunner } from './jobs.ts';
import type { KoreaiSettings } from './settings.ts';
import type { BotState, KoreaiDeletions } from './store.ts';

/** One getSessions query as the simulator read it: the window in ms, its width, the page asked for. */
export type SessionQuery = {
  at: string;
  botId: string;
  /** Whether the query named a user (the user id itself is not kept). */
  userIdGiven: boolean;
  dateFrom: string;
  dateTo: string;
  windowMs: number;
  skip: number;
  limit: number;
  /** HTTP status answered: 200, or 400 for a refused query (e.g. a window over the limit). */
  status: number;
};

/** What the Kore.ai vendor routes need; built once by the simulator. */
export type KoreaiRouteContext = {
  clock: Clock;
  settings(): KoreaiSettings;
  bot(botId: string): BotState | undefined;
  jobs: JobRunner;
  deletions: KoreaiDeletions;
  /** Every getSessions query answered (its window and page), for tests that check what a client asked. */
  sessionQueries: SessionQuery[];
  /** The bot the guard resolved and authenticated for this request. */
  botOf(request: FastifyRequest): BotState;
};
