import type { FastifyInstance } from 'fastify';
import { registerCommonControlRoutes } from '../control-routes.ts';
import type { CallSeed } from './calls.ts';
import type { CartesiaControl } from './control.ts';
import type { CartesiaGenerateOptions } from './generate.ts';

/** `/_sim/…` for the Cartesia simulator: the shared routes plus seeding and reading calls. */
export function registerCartesiaControlRoutes(scope: FastifyInstance, control: CartesiaControl, allowRemote: boolean): void {
  registerCommonControlRoutes(scope, control, allowRemote);
  scope.post('/calls', async (request, reply) => {
    const body = request.body as { calls?: CallSeed[] } | CallSeed[] | undefined;
    const ids = control.seedCalls((Array.isArray(body) ? body : body?.calls) as CallSeed[]);
    return reply.code(201).send({ ids });
  });
  scope.get('/calls', async () => control.calls());
  scope.post('/generate', async (request, reply) => reply.code(201).send(control.generateCalls((request.body ?? {}) as CartesiaGenerateOptions)));
  scope.post('/agents', async (request, reply) => {
    const body = request.body as { agents?: string[] } | string[] | undefined;
    return reply.code(201).send({ agents: control.seedAgents((Array.isArray(body) ? body : body?.agents) as string[]) });
  });
  scope.get('/agents', async () => control.agents());
  scope.get<{ Params: { callId: string } }>('/calls/:callId', async (request) => control.call(request.params.callId));
}
