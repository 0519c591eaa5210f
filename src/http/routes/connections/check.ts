// POST /v1/connections/{name}/check — one harmless authenticated call on the connection, now.
import { z } from 'zod';
import { problem } from '../../../domain/errors.ts';
import { checkConnection } from '../../../services/check-connection.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { connectionCheckResourceSchema } from '../../schemas/connection-resource.ts';
import { problemResponse, problemResponses } from '../../schemas/problem.ts';

const params = z.object({ name: z.string().min(1).max(200).describe('Connection name') });

/** A check waits this long at most for a slot of the connection's pacing. */
const CHECK_PERMIT_WAIT_MS = 5_000;

export function checkConnectionRoute(app: ZodApp): void {
  app.route({
    method: 'POST',
    url: '/v1/connections/:name/check',
    config: { scopes: ['erasure:write'] },
    schema: {
      operationId: 'checkConnection',
      tags: ['connections'],
      summary: 'Check a connection now',
      description:
        'Makes one harmless authenticated call on the connection (Kore.ai: the status of a deletion job that does not exist; ' +
        'Cartesia: `GET /agents/calls/{an id that does not exist}`), paced like every other call on it, and keeps the answer as ' +
        'the connection\'s last check. `ok` only when the vendor answers in its own recognised shape. While the last check says ' +
        '`auth_failed` or `unexpected_answer`, no deletion is sent on the connection. 429 (with `Retry-After`) when its pacing ' +
        'has no slot within 5 s or it is paused after a rate-limit answer: nothing was sent.',
      params,
      response: {
        200: connectionCheckResourceSchema,
        429: problemResponse('No pacing slot for the check now (the connection\'s budget is in use, or it is paused); nothing was sent'),
        ...problemResponses(404, 503),
      },
    },
    handler: async (request) => {
      const { database, config, clock, ids, metrics } = app.deps;
      const name = request.params.name;
      const result = await checkConnection(
        { db: database.db, connections: config.file.connections, probe: await app.connectionProbe(), clock, ids, metrics },
        name,
        { actor: `api-key:${callerOf(request).name}`, maxWaitMs: CHECK_PERMIT_WAIT_MS },
      );
      switch (result.kind) {
        case 'unknown_connection':
          throw problem('not-found', `No connection named ${JSON.stringify(name)} is configured.`);
        case 'deferred': {
          const seconds = Math.max(1, Math.ceil(result.retryInMs / 1000));
          const why = result.reason === 'paused' ? 'is paused after a rate-limit answer' : `has no free pacing slot (${result.reason})`;
          throw problem('connection-busy', `Connection ${name} ${why}; nothing was sent. Try again in ${seconds} s.`, { headers: { 'retry-after': String(seconds) } });
        }
        case 'checked':
          return result.check;
      }
    },
  });
}
