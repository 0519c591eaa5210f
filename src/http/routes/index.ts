// Every resource's routes. A new resource gets a folder whose index.ts is registered here.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditRoutes } from './audit/index.ts';
import { connectionRoutes } from './connections/index.ts';
import { erasureRequestRoutes } from './erasure-requests/index.ts';
import { operationsRoutes } from './operations/index.ts';

/** Health, readiness and metrics only: what a worker-only process serves, so it can be probed and scraped. */
export async function operationsOnlyRoutes(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => operationsRoutes(scope.withTypeProvider<ZodTypeProvider>()));
}

export async function routes(app: FastifyInstance): Promise<void> {
  await app.register(async (scope) => erasureRequestRoutes(scope.withTypeProvider<ZodTypeProvider>()));
  await app.register(async (scope) =>
    auditRoutes(scope.withTypeProvider<ZodTypeProvider>(), { evidenceKey: app.deps.evidenceKey, previousKeys: app.deps.evidencePreviousKeys ?? [] }),
  );
  await app.register(async (scope) => connectionRoutes(scope.withTypeProvider<ZodTypeProvider>()));
  await app.register(async (scope) => operationsRoutes(scope.withTypeProvider<ZodTypeProvider>()));
}
