// The connection resource: operator configuration, the same for every caller and tenant. One file per operation.
import type { ZodApp } from '../../app-deps.ts';
import { checkConnectionRoute } from './check.ts';
import { listConnections } from './list.ts';

export async function connectionRoutes(app: ZodApp): Promise<void> {
  listConnections(app);
  checkConnectionRoute(app);
}
