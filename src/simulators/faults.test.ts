import { describe, expect, it } from 'vitest';
import { createFaultInjector } from './faults.ts';

const sequence = (injector: ReturnType<typeof createFaultInjector>, route: string, n: number) =>
  Array.from({ length: n }, () => injector.decide(route));

describe('createFaultInjector', () => {
  it('is deterministic per seed and route, and each route has its own stream', () => {
    const plan = { seed: 9, routes: { '*': { errorRate: 0.3, dropRate: 0.1, latencyMs: { min: 10, max: 20 } } } };
    const a = createFaultInjector(plan);
    const b = createFaultInjector(plan);
    const fromA = sequence(a, 'x', 50);
    sequence(b, 'y', 17); // traffic elsewhere does not shift route x
    expect(sequence(b, 'x', 50)).toEqual(fromA);
    expect(sequence(createFaultInjector({ ...plan, seed: 10 }), 'x', 50)).not.toEqual(fromA);
    expect(fromA.every((d) => d.latencyMs >= 10 && d.latencyMs <= 20)).toBe(true);
  });

  it('honours the configured rates, route settings over `*`, and restarts streams on a new plan', () => {
    const injector = createFaultInjector({ seed: 1, routes: { '*': { errorRate: 0.2, rateLimitRate: 0.1 }, quiet: { errorRate: 0, rateLimitRate: 0 } } });
    const decisions = sequence(injector, 'busy', 10_000);
    const share = (action: string) => decisions.filter((d) => d.action === action).length / decisions.length;
    expect(share('error')).toBeGreaterThan(0.18);
    expect(share('error')).toBeLessThan(0.22);
    expect(share('rate_limit')).toBeGreaterThan(0.08);
    expect(share('rate_limit')).toBeLessThan(0.12);
    expect(decisions.find((d) => d.action === 'rate_limit')?.status).toBe(429);
    expect(sequence(injector, 'quiet', 1000).every((d) => d.action === 'none')).toBe(true);

    const first = sequence(injector, 'again', 20);
    injector.setPlan(injector.plan());
    expect(sequence(injector, 'again', 20)).toEqual(first);
  });

  it('rejects rates outside 0..1', () => {
    expect(() => createFaultInjector({ routes: { '*': { errorRate: 1.5 } } })).toThrow();
  });
});
