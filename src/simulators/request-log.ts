import type { FaultAction } from './faults.ts';

export type RequestLogEntry = {
  seq: number;
  at: string;
  method: string;
  /** Path and query as received; the simulators never put secrets there. */
  url: string;
  route: string;
  /** null when no answer was sent (hang, drop). */
  status: number | null;
  fault: Exclude<FaultAction, 'none'> | null;
  /** `proxy`: answered by the simulated proxy in front of the vendor (Cartesia's `proxy` setting); the vendor never saw it. */
  answeredBy: 'simulator' | 'proxy';
  durationMs: number | null;
};

export type RouteCounts = Record<string, { received: number; byStatus: Record<string, number> }>;

export type RequestLog = {
  start(entry: Pick<RequestLogEntry, 'at' | 'method' | 'url' | 'route'>): RequestLogEntry;
  finish(entry: RequestLogEntry, status: number | null, durationMs: number): void;
  counts(): RouteCounts;
  entries(): RequestLogEntry[];
  reset(): void;
};

/** Counts are kept forever; the detailed log keeps the newest `limit` entries. */
export function createRequestLog(limit = 10_000): RequestLog {
  let seq = 0;
  let log: RequestLogEntry[] = [];
  let counts: RouteCounts = {};

  return {
    start(partial) {
      const entry: RequestLogEntry = { seq: ++seq, ...partial, status: null, fault: null, answeredBy: 'simulator', durationMs: null };
      log.push(entry);
      if (log.length > limit) log.splice(0, log.length - limit);
      const route = (counts[entry.route] ??= { received: 0, byStatus: {} });
      route.received++;
      return entry;
    },
    finish(entry, status, durationMs) {
      entry.status = status;
      entry.durationMs = durationMs;
      const key = status === null ? (entry.fault ?? 'none') : String(status);
      const route = counts[entry.route];
      if (route !== undefined) route.byStatus[key] = (route.byStatus[key] ?? 0) + 1;
    },
    counts: () => structuredClone(counts),
    entries: () => log.map((entry) => ({ ...entry })),
    reset() {
      seq = 0;
      log = [];
      counts = {};
    },
  };
}
