// Connection checks in a worker process: every configured connection at start (the worker claims once
// these have answered, or after `startWaitMs`), then every `intervalMs` — skipped when any process checked
// it more recently, so the cluster makes about one check per connection per interval — and soon after a
// task's call was refused (401/403), so a revoked key holds the remaining tasks instead of failing them
// one by one. After a rate-limit answer, this process leaves the connection's checks for an hour: a check
// must not be what keeps a vendor's block going.
import type { Logger } from '../logger.ts';
import { lastConnectionChecks } from '../db/connection-checks.ts';
import { holdsDeletions } from '../domain/connection-check.ts';
import { checkConnection, type CheckConnectionDeps } from './check-connection.ts';

export type ConnectionCheckScheduleOptions = CheckConnectionDeps & {
  logger: Logger;
  /** `worker:<id>` */
  actor: string;
  intervalMs: number;
  startWaitMs?: number;
  /** A connection's hold changed (held → released or released → held), as this process saw it. */
  onHoldChanged?(connection: string, held: boolean): void;
};

export type ConnectionCheckSchedule = {
  /** Resolves when every start check has answered, or after startWaitMs. */
  ready: Promise<void>;
  /** Check this connection soon (at most once per SOON_GAP_MS from this process). */
  checkSoon(connection: string): void;
  stop(): Promise<void>;
};

const SOON_GAP_MS = 30_000;
const RATE_LIMIT_BACKOFF_MS = 3_600_000;
/** A slot of the connection's pacing within this time, or the check waits for the next round. */
const PERMIT_WAIT_MS = 5_000;

export function startConnectionChecks(o: ConnectionCheckScheduleOptions): ConnectionCheckSchedule {
  const { logger } = o;
  const abort = new AbortController();
  const running = new Map<string, Promise<void>>();
  const held = new Map<string, boolean>();
  const quietUntil = new Map<string, number>();
  const lastSoon = new Map<string, number>();
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;

  const run = (name: string): Promise<void> => {
    const busy = running.get(name);
    if (busy !== undefined || stopped) return busy ?? Promise.resolve();
    const p = (async () => {
      try {
        const r = await checkConnection(o, name, { actor: o.actor, maxWaitMs: PERMIT_WAIT_MS, signal: abort.signal });
        if (r.kind === 'deferred') {
          logger.debug({ connection: name, reason: r.reason }, 'connection check deferred: no pacing slot');
          return;
        }
        if (r.kind === 'unknown_connection') return;
        const { result, httpStatus, code } = r.check;
        if (r.answer.rateLimited === true) quietUntil.set(name, performance.now() + RATE_LIMIT_BACKOFF_MS);
        const nowHeld = holdsDeletions(result);
        const before = held.get(name);
        held.set(name, nowHeld);
        if (nowHeld) logger.warn({ connection: name, result, httpStatus, code }, 'connection check failed: no deletion is sent on this connection until a check passes');
        else if (before === true) logger.info({ connection: name, result, httpStatus, code }, 'connection check passed: deletions on this connection resume');
        if (before !== nowHeld) o.onHoldChanged?.(name, nowHeld);
      } catch (err) {
        if (!stopped) logger.error({ err, connection: name }, 'connection check failed to run; it runs again at the next interval');
      } finally {
        running.delete(name);
      }
    })();
    running.set(name, p);
    return p;
  };

  async function round(): Promise<void> {
    try {
      const last = await lastConnectionChecks(o.db, o.connections.map((c) => c.name));
      const now = o.clock.now().getTime();
      for (const c of o.connections) {
        if ((quietUntil.get(c.name) ?? 0) > performance.now()) continue;
        const at = last.get(c.name)?.checkedAt;
        // Another process checked it within this interval (give or take the jitter): its answer stands.
        if (at !== undefined && now - Date.parse(at) < o.intervalMs * 0.8) continue;
        void run(c.name);
      }
    } catch (err) {
      logger.error({ err }, 'reading the last connection checks failed; checking again at the next interval');
    }
  }

  const schedule = () => {
    if (stopped) return;
    // Jitter keeps replicas started together from checking in step.
    timer = setTimeout(() => void round().finally(schedule), Math.round(o.intervalMs * (0.9 + Math.random() * 0.2)));
    timer.unref();
  };

  const first = Promise.all(o.connections.map((c) => run(c.name)));
  const ready = Promise.race([first.then(() => undefined), new Promise<void>((r) => setTimeout(r, o.startWaitMs ?? 5_000).unref())]);
  schedule();

  return {
    ready,
    checkSoon(name) {
      const at = performance.now();
      if (at - (lastSoon.get(name) ?? -Infinity) < SOON_GAP_MS || (quietUntil.get(name) ?? 0) > at) return;
      lastSoon.set(name, at);
      void run(name);
    },
    async stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      abort.abort();
      await Promise.allSettled([...running.values()]);
    },
  };
}
