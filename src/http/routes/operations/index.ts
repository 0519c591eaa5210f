// Operator endpoints: liveness, readiness, metrics. Public (no API key): expose them on internal networks,
// or move /metrics and the readiness details to their own listener (http.opsPort).
import type { ZodApp } from '../../app-deps.ts';
import { healthz } from './healthz.ts';
import { metrics } from './metrics.ts';
import { readyz } from './readyz.ts';

export type OperationsRoutesOptions = {
  /** Serve /metrics on this listener. */
  metrics: boolean;
  /** /readyz names what is not ready (pending migrations): only on the operations listener. */
  readinessDetail: boolean;
};

export async function operationsRoutes(app: ZodApp, options: OperationsRoutesOptions): Promise<void> {
  healthz(app);
  readyz(app, { detail: options.readinessDetail });
  if (options.metrics) metrics(app);
}
