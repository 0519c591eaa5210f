// Claiming: fills the worker's free capacity with due tasks, leased to it. Paced connections are claimed
// one by one with a pacing permit per task (db/sql/claim-paced-tasks.ts, rule in domain/pacing.ts); the
// others in one unpaced claim. Wake-ups come from outside (NOTIFY, polls, settled tasks) and from this
// claimer's own timer, set for work known to come due: a pacing slot freeing, a retry within the poll
// interval.
import type { Clock } from '../clock.ts';
import type { ConnectionConfig } from '../config.ts';
import type { ConnectionLimits } from '../domain/connection-limits.ts';
import type { ClaimedTask } from '../domain/task-execution.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { isPaced, pacingLimits, reserveAheadMs } from './pacing.ts';
import type { ClaimQueries } from './queries.ts';

export type ClaimerOptions = {
  owner: string;
  connections: readonly ConnectionConfig[];
  /** Task types this worker can execute. */
  types: readonly string[];
  batchSize: number;
  leaseSeconds: number;
  queries: ClaimQueries;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Tasks this worker may still take on. */
  free(): number;
  /** A task claimed now; its permit (paced connections) lets it call `startInMs` from now. */
  onClaimed(task: ClaimedTask, permitId: number | undefined, startInMs: number): void;
};

export type Claimer = {
  /** There may be due work anywhere (NOTIFY, a poll, new tasks from a settlement): claim now. */
  wake(): void;
  /** Capacity freed: claim what is known to be due. */
  kick(): void;
  /** Claim again in `ms` (a retry due before the next poll). */
  wakeAfter(ms: number): void;
  /** A task of this connection was settled: its pacing source may have work or a free slot again. */
  taskSettled(connection: string | null, pausedConnection: boolean): void;
  /** Stops claiming; resolves once a claim in progress has finished. */
  stop(): Promise<void>;
};

type PacedSource = {
  connection: ConnectionConfig;
  /** What claims enforce: the configured windows less the connection's reserve. */
  limits: ConnectionLimits;
  /** There may be due tasks (reset by wake-ups; cleared when a claim finds fewer than it could take). */
  due: boolean;
  /** performance.now() before which no slot is free (from the last paced claim). */
  blockedUntil: number;
  blockReason: string | null;
  permitTtlSeconds: number;
  /** Recent latency of this connection's claims that took the pacing lock (moving average, ms). */
  claimMs: number;
};

export function createClaimer(o: ClaimerOptions): Claimer {
  const { queries, clock, logger, metrics } = o;
  const unpaced = o.connections.filter((c) => !isPaced(c.limits)).map((c) => c.name);
  const paced: PacedSource[] = o.connections
    .filter((c) => isPaced(c.limits))
    .map((c) => ({ connection: c, limits: pacingLimits(c), due: true, blockedUntil: 0, blockReason: null, permitTtlSeconds: o.leaseSeconds + c.requestTimeoutMs / 1000 + 5, claimMs: 10 }));
  const pacedByName = new Map(paced.map((p) => [p.connection.name, p]));

  let stopping = false;
  let genericDue = true;
  let timer: NodeJS.Timeout | null = null;
  let timerAt = Number.POSITIVE_INFINITY;
  let filling: Promise<void> | null = null;
  let refill = false;

  const markDue = () => {
    genericDue = true;
    for (const p of paced) p.due = true;
  };
  const wakeAfter = (ms: number) => {
    if (stopping) return;
    const at = performance.now() + Math.max(0, ms);
    if (timer !== null && timerAt <= at) return;
    if (timer !== null) clearTimeout(timer);
    timerAt = at;
    // Node may fire a timer up to 1 ms early; a claim that finds its slot not yet free would then
    // wait for the next poll, so aim just past the moment.
    timer = setTimeout(() => {
      timer = null;
      timerAt = Number.POSITIVE_INFINITY;
      markDue();
      kick();
    }, Math.ceil(Math.max(0, ms)) + 1);
  };

  function kick(): void {
    if (stopping) return;
    if (filling !== null) {
      refill = true;
      return;
    }
    filling = fill()
      .catch((err: unknown) => logger.error({ err }, 'claiming tasks failed; retrying at the next poll'))
      .finally(() => {
        filling = null;
        if (refill) {
          refill = false;
          kick();
        }
      });
  }

  async function fill(): Promise<void> {
    while (!stopping && o.free() > 0) {
      let progressed = false;
      // Paced connections first: when a pacing slot frees, its claim goes out before anything else.
      for (const p of paced) {
        if (stopping || o.free() <= 0) break;
        if (p.due && p.blockedUntil <= performance.now() && (await claimPaced(p)) > 0) progressed = true;
      }
      if (genericDue && o.free() > 0 && (await claimUnpaced()) > 0) progressed = true;
      if (!progressed) break;
    }
    // A paced connection that is saturated frees a slot at a known time: be there. One whose slot
    // freed while this fill was busy elsewhere is claimed at once, not at the next poll.
    const nowPerf = performance.now();
    for (const p of paced) {
      if (!p.due || stopping) continue;
      if (p.blockedUntil > nowPerf) wakeAfter(p.blockedUntil - nowPerf);
      else if (o.free() > 0) wakeAfter(0);
    }
  }

  async function claimUnpaced(): Promise<number> {
    const want = Math.min(o.batchSize, o.free());
    const now = clock.now();
    const tasks = await queries.claimDueTasks({ owner: o.owner, now, leaseSeconds: o.leaseSeconds, limit: want, types: o.types, connections: unpaced });
    if (tasks.length < want) genericDue = false;
    if (tasks.length > 0) metrics.tasksClaimed.inc({ mode: 'unpaced' }, tasks.length);
    for (const t of tasks) o.onClaimed(t, undefined, 0);
    return tasks.length;
  }

  async function claimPaced(p: PacedSource): Promise<number> {
    const want = Math.min(o.batchSize, o.free());
    const now = clock.now();
    const name = p.connection.name;
    const started = performance.now();
    const claim = await queries.claimPacedTasks({
      connection: name,
      limits: p.limits,
      owner: o.owner,
      now,
      leaseSeconds: o.leaseSeconds,
      permitTtlSeconds: p.permitTtlSeconds,
      limit: want,
      types: o.types,
      reserveAheadMs: reserveAheadMs(p.claimMs),
    });
    // Only claims that took the lock tell how long a reservation takes (a no-op claim is much faster).
    if (claim.state !== null) {
      p.claimMs = 0.7 * p.claimMs + 0.3 * (performance.now() - started);
      metrics.pacingInFlight.set({ connection: name }, claim.state.inFlight + claim.tasks.length);
    }
    if (claim.tasks.length > 0) {
      metrics.tasksClaimed.inc({ mode: 'paced' }, claim.tasks.length);
      metrics.pacingPermits.inc({ connection: name, result: 'granted' }, claim.tasks.length);
    }
    for (const t of claim.tasks) o.onClaimed(t, claim.permits.get(t.id), claim.startInMs.get(t.id) ?? 0);
    if (claim.retryInMs !== null) {
      // No slot free now (or not all wanted): wake early enough to reserve the next one (see domain/pacing.ts).
      const wait = claim.plan.reason === 'window' ? Math.max(Math.min(claim.retryInMs, 20), claim.retryInMs - reserveAheadMs(p.claimMs)) : claim.retryInMs;
      p.blockedUntil = performance.now() + wait;
      p.blockReason = claim.plan.reason;
      if (claim.tasks.length === 0) metrics.pacingPermits.inc({ connection: name, result: claim.plan.reason });
    } else if (claim.state === null || claim.tasks.length < claim.plan.starts.length) {
      p.due = false; // fewer due tasks than free slots: nothing more to claim until a wake-up
    }
    return claim.tasks.length;
  }

  return {
    wake() {
      markDue();
      kick();
    },
    kick,
    wakeAfter,
    taskSettled(connection, pausedConnection) {
      const p = connection === null ? undefined : pacedByName.get(connection);
      if (p === undefined) return;
      p.due = true;
      // A finished call frees a concurrency slot now; a window slot frees at a time the next claim reads.
      if (p.blockReason === 'concurrency' && !pausedConnection) p.blockedUntil = 0;
    },
    async stop() {
      stopping = true;
      if (timer !== null) clearTimeout(timer);
      await filling;
    },
  };
}
