// Closed-loop load: `concurrency` clients each send one request after the other for `durationMs`.
import { Pool } from 'undici';

export type LoadResult = {
  requests: number;
  errors: number;
  statusCounts: Record<string, number>;
  durationMs: number;
  throughputPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Added for the bench: p90, mean, and a sample of what went wrong (status and body, or the error). */
  p90Ms: number;
  meanMs: number;
  firstError?: string;
};

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

export type LoadRequest = { method: 'GET' | 'POST'; path: string; headers?: Record<string, string>; body?: string };

export async function runLoad(options: {
  origin: string;
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  makeRequest: (i: number) => LoadRequest;
  expectStatus: number;
  /** Stop once this many requests were measured (latency sampling); `durationMs` still bounds the run. */
  maxRequests?: number;
  /** Called once when the warm-up ends and measuring starts (e.g. to start CPU accounting). */
  onMeasureStart?: () => void;
}): Promise<LoadResult> {
  const pool = new Pool(options.origin, { connections: options.concurrency, pipelining: 1 });
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let counter = 0;
  let firstError: string | undefined;
  const enough = () => options.maxRequests !== undefined && latencies.length >= options.maxRequests;
  const warmupEnd = performance.now() + (options.warmupMs ?? 0);
  let measureStart = 0;
  let end = 0;
  const client = async (): Promise<void> => {
    while (true) {
      const now = performance.now();
      if ((end !== 0 && now >= end) || enough()) return;
      if (end === 0 && now >= warmupEnd) {
        measureStart = now;
        end = now + options.durationMs;
        options.onMeasureStart?.();
      }
      const req = options.makeRequest(counter++);
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: req.method, path: req.path, headers: req.headers, body: req.body });
        const unexpected = res.statusCode !== options.expectStatus;
        const text = unexpected && firstError === undefined ? await res.body.text() : (await res.body.dump(), '');
        const t1 = performance.now();
        if (unexpected && firstError === undefined) firstError = `HTTP ${res.statusCode}: ${text.slice(0, 300)}`;
        if (end !== 0 && t0 >= measureStart && !enough()) {
          latencies.push(t1 - t0);
          statusCounts[res.statusCode] = (statusCounts[res.statusCode] ?? 0) + 1;
          if (unexpected) errors += 1;
        }
      } catch (err) {
        firstError ??= (err as Error).message;
        if (end !== 0) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  // A run stopped by maxRequests lasted less than durationMs: throughput over the time it took.
  const measuredMs = enough() && measureStart !== 0 ? Math.min(options.durationMs, performance.now() - measureStart) : options.durationMs;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    statusCounts,
    durationMs: measuredMs,
    throughputPerSec: latencies.length / (measuredMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies[latencies.length - 1] ?? Number.NaN,
    p90Ms: percentile(latencies, 90),
    meanMs: latencies.length === 0 ? Number.NaN : latencies.reduce((a, b) => a + b, 0) / latencies.length,
    firstError,
  };
}
