// Operator endpoints: liveness, readiness, metrics. Public (no API key): expose them on internal networks.
import type { ZodApp } from '../../app-deps.ts';
import { healthz } from './healthz.ts';
import { metrics } from './metrics.ts';
import { readyz } from './readyz.ts';

export async function operationsRoutes(app: ZodApp): Promise<void> {
  healthz(app);
  readyz(app);
  metrics(app);
}
