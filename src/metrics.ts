// Prometheus metrics, one registry per process (tests build their own).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(options: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Histogram({
      name: 'gateway_http_request_duration_seconds',
      help: 'API request latency by route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    requestsCreated: new Counter({
      name: 'gateway_erasure_requests_created_total',
      help: 'Erasure requests accepted',
      labelNames: ['regulation'] as const,
      registers: [registry],
    }),
    upstreamCalls: new Histogram({
      name: 'gateway_upstream_call_duration_seconds',
      help: 'Upstream calls by connection, operation and outcome',
      labelNames: ['connection', 'operation', 'outcome'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    taskSettlements: new Counter({
      name: 'gateway_task_settlements_total',
      help: 'Task state changes made by workers, by task type and new state',
      labelNames: ['type', 'state'] as const,
      registers: [registry],
    }),
  };
}

export { Gauge, Counter, Histogram };
