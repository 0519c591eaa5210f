// Every resource's routes. A new resource gets a folder whose index.ts is registered here.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditRoutes } from './audit/index.ts';
import { connectionRoutes } from './connections/index.ts';
import { erasureRequestRoutes } from './erasure-requests/index.ts';
import { operationsRoutes } from './operations/index.ts';
import { taskRoutes } from './tasks/index.ts';

/**
 * Where /metrics and the detailed /readyz are served: `here` (no http.opsPort: on PORT, as always) or
 * `elsewhere` (on the operations listener; PORT keeps /healthz and a /readyz without details).
 */
export type OperationsPlacement = 'here' | 'elsewhere';

const onPort = (placement: OperationsPlacement) => ({ metrics: placement === 'here', readinessDetail: false });

/** Health, readiness and metrics only: what a worker-only process serves, so it can be probed and scraped. */
export function operationsOnlyRoutes(placement: OperationsPlacement) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scope) => operationsRoutes(scope.withTypeProvider<ZodTypeProvider>(), onPort(placement)));
  };
}

export function routes(placement: OperationsPlacement) {
  return async (app: FastifyInstance): Promise<void> => {
    await app.register(async (scope) => erasureRequestRoutes(scope.withTypeProvider<ZodTypeProvider>()));
    await app.register(async (scope) =>
      auditRoutes(scope.withTypeProvider<ZodTypeProvider>(), { evidenceKey: app.deps.evidenceKey, previousKeys: app.deps.evidencePreviousKeys ?? [] }),
    );
    await app.register(async (scope) => connectionRoutes(scope.withTypeProvider<ZodTypeProvider>()));
    await app.register(async (scope) => taskRoutes(scope.withTypeProvider<ZodTypeProvider>()));
    await app.register(async (scope) => operationsRoutes(scope.withTypeProvider<ZodTypeProvider>(), onPort(placement)));
  };
}

/** The operations listener (http.opsPort): everything operators need, readiness details included. */
export async function operationsListenerRoutes(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => operationsRoutes(scope.withTypeProvider<ZodTypeProvider>(), { metrics: true, readinessDetail: true }));
}
