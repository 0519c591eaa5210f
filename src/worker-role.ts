// What a process with ROLE worker (or all) runs, for main.ts and worker-main.ts alike: the task engine
// with callback delivery plugged in (the settle hook enqueues a request's callback in the transaction
// that makes it final; the callback executor delivers it), the connection checks, and the periodic
// subject purge.
import { hostname } from 'node:os';
import type { Clock, IdSource } from './clock.ts';
import type { GatewayConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export type WorkerRoleDeps = {
  config: GatewayConfig;
  database: Database;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  metrics: Metrics;
  workerId?: string | undefined;
  /** LISTEN for NOTIFY wake-ups (default true). */
  listen?: boolean;
};

export type RunningWorker = { stop(): Promise<void>; wake(): void };

export async function startWorkerRole(deps: WorkerRoleDeps): Promise<RunningWorker> {
  // Imported here: a ROLE=api process never loads the upstream clients, callbacks or the engine.
  const [
    { createCallbackExecutor },
    { createCallbackTransport },
    { callbackSettleHooks },
    { callbackSettingsFromConfig },
    { startSubjectPurge },
    { startWorker },
    { startConnectionChecks },
    { createConnectionProbes },
  ] = await Promise.all([
    import('./callbacks/callback-executor.ts'),
    import('./callbacks/deliver-callback.ts'),
    import('./callbacks/settle-hooks.ts'),
    import('./callbacks/url-policy.ts'),
    import('./privacy/purge-schedule.ts'),
    import('./worker/worker.ts'),
    import('./services/connection-check-schedule.ts'),
    import('./upstreams/connection-probes.ts'),
  ]);
  const workerId = deps.workerId ?? `${hostname()}/${process.pid}/${deps.ids.uuid().slice(0, 8)}`;
  // Each connection is checked before the first claim (bounded), so a worker started with a wrong key or
  // address sends no deletion on it; then every few minutes (services/connection-check-schedule.ts).
  const probe = createConnectionProbes(deps.config);
  let wake: (() => void) | null = null;
  const checks = startConnectionChecks({
    db: deps.database.db,
    connections: deps.config.file.connections,
    probe,
    clock: deps.clock,
    ids: deps.ids,
    metrics: deps.metrics,
    logger: deps.logger,
    actor: `worker:${workerId}`,
    intervalMs: deps.config.file.worker.connectionCheckIntervalSeconds * 1000,
    onHoldChanged: (_connection, held) => {
      if (!held) wake?.();
    },
  });
  await checks.ready;
  const settings = callbackSettingsFromConfig(deps.config);
  const transport = createCallbackTransport(settings ?? { allowPrivateNetworks: false, timeoutMs: 10_000 });
  const worker = startWorker({
    config: deps.config,
    database: deps.database,
    clock: deps.clock,
    ids: deps.ids,
    logger: deps.logger,
    metrics: deps.metrics,
    extraExecutors: { callback: createCallbackExecutor({ db: deps.database.db, settings, transport }) },
    hooks: callbackSettleHooks({ ids: deps.ids }),
    workerId,
    onCallRefused: (connection) => checks.checkSoon(connection),
    ...(deps.listen === undefined ? {} : { listen: deps.listen }),
  });
  wake = () => worker.wake();
  // Data minimisation: subject identities go a configured time after their request is final.
  const purge = startSubjectPurge({
    db: deps.database.db,
    clock: deps.clock,
    logger: deps.logger,
    purgeAfterDays: deps.config.file.privacy.purgeSubjectAfterDays,
  });
  return {
    wake: () => worker.wake(),
    async stop() {
      await purge.stop();
      await checks.stop();
      await worker.stop();
      await Promise.all([transport.close(), probe.close()]);
    },
  };
}
