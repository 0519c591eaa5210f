// Checking a connection (POST /v1/connections/{name}/check, and every worker at start and every few
// minutes): one harmless authenticated call, paced like every other call on the connection — it takes a
// pacing permit through the same Postgres pacing as tasks, so it spends the same budget and never goes
// out while the connection is paused — then the answer is kept as the connection's last check. While that
// says `auth_failed` or `unexpected_answer`, claims hold the connection's tasks (db/sql/connection-hold.ts).
import type { Kysely } from 'kysely';
import type { Clock, IdSource } from '../clock.ts';
import type { ConnectionConfig } from '../config.ts';
import { recordConnectionCheck } from '../db/connection-checks.ts';
import type { DB } from '../db/schema.ts';
import { finishPermits } from '../db/sql/finish-permits.ts';
import { takeCallPermit } from '../db/sql/take-call-permit.ts';
import { holdsDeletions, type ConnectionCheckAnswer, type ConnectionCheckResource, type ConnectionProbe } from '../domain/connection-check.ts';
import type { Metrics } from '../metrics.ts';

export type CheckConnectionDeps = {
  db: Kysely<DB>;
  connections: readonly ConnectionConfig[];
  probe: ConnectionProbe;
  clock: Clock;
  ids: IdSource;
  metrics: Pick<Metrics, 'connectionChecks' | 'pacingPermits'>;
};

export type CheckConnectionOptions = {
  /** `api-key:<name>` or `worker:<id>`. */
  actor: string;
  /** Wait at most this long for a pacing slot; none free by then: `deferred`. */
  maxWaitMs: number;
  signal?: AbortSignal;
};

export type CheckConnectionResult =
  | { kind: 'checked'; check: ConnectionCheckResource; answer: ConnectionCheckAnswer }
  | { kind: 'unknown_connection' }
  /** No pacing slot within maxWaitMs (the connection's budget is in use, or it is paused): nothing was sent. */
  | { kind: 'deferred'; reason: 'paused' | 'window' | 'concurrency'; retryInMs: number };

export async function checkConnection(deps: CheckConnectionDeps, name: string, options: CheckConnectionOptions): Promise<CheckConnectionResult> {
  const connection = deps.connections.find((c) => c.name === name);
  if (connection === undefined) return { kind: 'unknown_connection' };
  // A slot that frees within maxWaitMs is waited for (reserved at once when it is a window slot; looked
  // for again when it is a call in flight that must end first).
  const deadline = performance.now() + options.maxWaitMs;
  const take = () =>
    takeCallPermit(deps.db, {
      connection: name,
      limits: connection.limits,
      holder: options.actor,
      permitTtlSeconds: connection.requestTimeoutMs / 1000 + 5,
      horizonMs: Math.max(0, deadline - performance.now()),
    });
  let permit = await take();
  while (!permit.granted && performance.now() + permit.retryInMs < deadline && options.signal?.aborted !== true) {
    await new Promise((r) => setTimeout(r, permit.granted ? 0 : permit.retryInMs));
    permit = await take();
  }
  if (!permit.granted) {
    deps.metrics.pacingPermits.inc({ connection: name, result: permit.reason });
    return { kind: 'deferred', reason: permit.reason, retryInMs: permit.retryInMs };
  }
  deps.metrics.pacingPermits.inc({ connection: name, result: 'granted' });
  let answeredAt = performance.now();
  let answer: ConnectionCheckAnswer;
  try {
    // The permit may start a little later (its window slot frees then): never call before it.
    if (permit.startInMs > 0) await new Promise((r) => setTimeout(r, permit.startInMs));
    answer = await deps.probe.probe(name, {
      now: () => deps.clock.now(),
      uuid: () => deps.ids.uuid(),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    answeredAt = performance.now();
    // Stopped mid-call: the missing answer says nothing about the connection.
    if (options.signal?.aborted === true) throw new Error('connection check aborted');
  } finally {
    await finishPermits(deps.db, [{ id: permit.permitId, finishedAgoMs: performance.now() - answeredAt }]);
  }
  const check = {
    result: answer.result,
    httpStatus: answer.httpStatus,
    code: answer.code,
    latencyMs: answer.latencyMs,
    checkedAt: deps.clock.now().toISOString(),
    checkedBy: options.actor,
  };
  await recordConnectionCheck(deps.db, { connection: name, type: connection.type, ...check });
  deps.metrics.connectionChecks.inc({ connection: name, result: answer.result });
  return { kind: 'checked', check: { connection: name, ...check, blocked: holdsDeletions(answer.result) }, answer };
}
