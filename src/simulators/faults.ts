import { z } from 'zod';
import { namedStream } from './prng.ts';

export const routeFaultsSchema = z
  .object({
    /** Added before the answer: a fixed delay or a uniform range. */
    latencyMs: z
      .union([z.number().min(0), z.object({ min: z.number().min(0), max: z.number().min(0) })])
      .optional(),
    /** Share of requests answered with a 5xx in the vendor's error shape. */
    errorRate: z.number().min(0).max(1).optional(),
    errorStatus: z.number().int().min(500).max(599).optional(),
    /** Share of requests answered 429 in the vendor's error shape. */
    rateLimitRate: z.number().min(0).max(1).optional(),
    /** Share of requests never answered: the socket stays open until the client gives up or the server closes. */
    hangRate: z.number().min(0).max(1).optional(),
    /** Share of requests whose socket is destroyed without an answer. */
    dropRate: z.number().min(0).max(1).optional(),
    /**
     * `before`: the request has no effect. `after`: the simulator does the work (deletes, queues a job)
     * and only then fails the answer — the case where a client must rely on idempotency.
     */
    phase: z.enum(['before', 'after']).optional(),
  })
  .strict();

export const faultPlanSchema = z
  .object({
    seed: z.number().int().optional(),
    /** Keyed by route key (e.g. `cartesia.calls.delete`); `*` applies to every route, field by field. */
    routes: z.record(z.string(), routeFaultsSchema).optional(),
  })
  .strict();

export type RouteFaults = z.infer<typeof routeFaultsSchema>;
export type FaultPlan = z.infer<typeof faultPlanSchema>;
export type FaultAction = 'none' | 'error' | 'rate_limit' | 'hang' | 'drop';
export type FaultDecision = { action: FaultAction; latencyMs: number; status: number; phase: 'before' | 'after' };
export type FaultCounts = Record<string, Partial<Record<Exclude<FaultAction, 'none'>, number>>>;

export type FaultInjector = {
  decide(route: string): FaultDecision;
  setPlan(plan: FaultPlan): void;
  plan(): FaultPlan;
  injected(): FaultCounts;
  /** Restarts every route's random stream and clears the counts. */
  reset(): void;
};

export const DEFAULT_FAULT_SEED = 1;

export function createFaultInjector(initial: FaultPlan = {}): FaultInjector {
  let current = faultPlanSchema.parse(initial);
  let streams = new Map<string, () => number>();
  let counts: FaultCounts = {};

  const streamFor = (route: string): (() => number) => {
    let stream = streams.get(route);
    if (stream === undefined) {
      stream = namedStream(current.seed ?? DEFAULT_FAULT_SEED, route);
      streams.set(route, stream);
    }
    return stream;
  };

  return {
    decide(route) {
      const faults: RouteFaults = { ...current.routes?.['*'], ...current.routes?.[route] };
      const stream = streamFor(route);
      // Always two draws per request, whatever the configuration, so the sequence depends only on the
      // seed and on how many requests the route has seen.
      const actionDraw = stream();
      const latencyDraw = stream();
      const action = pickAction(faults, actionDraw);
      if (action !== 'none') {
        const perRoute = (counts[route] ??= {});
        perRoute[action] = (perRoute[action] ?? 0) + 1;
      }
      return {
        action,
        latencyMs: pickLatency(faults.latencyMs, latencyDraw),
        status: action === 'rate_limit' ? 429 : (faults.errorStatus ?? 500),
        phase: faults.phase ?? 'before',
      };
    },
    setPlan(plan) {
      current = faultPlanSchema.parse(plan);
      streams = new Map();
    },
    plan: () => current,
    injected: () => structuredClone(counts),
    reset() {
      streams = new Map();
      counts = {};
    },
  };
}

function pickAction(faults: RouteFaults, draw: number): FaultAction {
  const ordered: [Exclude<FaultAction, 'none'>, number | undefined][] = [
    ['error', faults.errorRate],
    ['rate_limit', faults.rateLimitRate],
    ['hang', faults.hangRate],
    ['drop', faults.dropRate],
  ];
  let threshold = 0;
  for (const [action, rate] of ordered) {
    threshold += rate ?? 0;
    if (draw < threshold) return action;
  }
  return 'none';
}

function pickLatency(latency: RouteFaults['latencyMs'], draw: number): number {
  if (latency === undefined) return 0;
  if (typeof latency === 'number') return latency;
  const low = Math.min(latency.min, latency.max);
  const high = Math.max(latency.min, latency.max);
  return Math.round(low + (high - low) * draw);
}
