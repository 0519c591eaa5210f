import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { faultPlanSchema, type FaultPlan } from './faults.ts';
import { isLoopback } from './simulator-app.ts';

/** The control operations both simulators share. */
export type CommonControl = {
  reset(): void;
  setFaults(plan: FaultPlan): void;
  faults(): FaultPlan;
  updateSettings(patch: unknown): unknown;
  settings(): unknown;
  requests(): unknown;
  deleted(): unknown;
  report(): unknown;
};

export const controlError = (status: number, message: string): Error => Object.assign(new Error(message), { statusCode: status });

/**
 * Registers `/_sim` routes common to both simulators inside a scope prefixed `/_sim`. The control API has no
 * auth: it answers loopback callers only (unless `allowRemote`), and never echoes secrets.
 */
export function registerCommonControlRoutes(scope: FastifyInstance, control: CommonControl, allowRemote: boolean): void {
  scope.addHook('onRequest', async (request, reply) => {
    if (!allowRemote && !isLoopback(request)) return reply.code(403).send({ error: 'the simulator control API answers loopback callers only' });
    return undefined;
  });
  scope.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    if (error instanceof z.ZodError) return reply.code(400).send({ error: z.prettifyError(error) });
    const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: error.message ?? 'error' });
  });
  scope.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'no such control route' }));

  scope.post('/reset', async () => {
    control.reset();
    return { reset: true };
  });
  scope.get('/faults', async () => control.faults());
  scope.put('/faults', async (request) => {
    control.setFaults(faultPlanSchema.parse(request.body ?? {}));
    return control.faults();
  });
  scope.get('/settings', async () => control.settings());
  scope.patch('/settings', async (request) => control.updateSettings(request.body ?? {}));
  scope.get('/requests', async () => control.requests());
  scope.get('/deleted', async () => control.deleted());
  scope.get('/report', async () => control.report());
}
