// GET /readyz — ready for traffic: the database answers and every migration is applied. Which migrations
// are pending is said only on the operations listener (detail: true); the public one says only that some
// are (they name the release, which is nobody's business outside), and the log names them.
import { z } from 'zod';
import { pingDatabase } from '../../../db/database.ts';
import { migrationsPending } from '../../../db/migrate.ts';
import { problem } from '../../../domain/errors.ts';
import { loggableError } from '../../plugins/problems.ts';
import type { ZodApp } from '../../app-deps.ts';
import { problemResponses } from '../../schemas/problem.ts';

const CHECK_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function readyz(app: ZodApp, options: { detail: boolean }): void {
  app.route({
    method: 'GET',
    url: '/readyz',
    schema: {
      operationId: 'readyz',
      tags: ['operations'],
      summary: 'Readiness: database reachable and migrated',
      response: { 200: z.object({ status: z.literal('ready') }), ...problemResponses(503) },
    },
    handler: async (request) => {
      const { db } = app.deps.database;
      let pending: string[];
      try {
        pending = await withTimeout(
          (async () => {
            await pingDatabase(db);
            return migrationsPending(db);
          })(),
          CHECK_TIMEOUT_MS,
        );
      } catch (error) {
        request.log.warn({ error: loggableError(error) }, 'readiness check: database unreachable');
        throw problem('service-unavailable', 'The database is not reachable.', { headers: { 'retry-after': '5' } });
      }
      if (pending.length > 0) {
        const detail = options.detail
          ? `${pending.length} database migration(s) not applied yet: ${pending.join(', ')}.`
          : 'The database schema is not up to date: migrations are not applied yet.';
        throw problem('service-unavailable', detail, { headers: { 'retry-after': '5' } });
      }
      return { status: 'ready' as const };
    },
  });
}
