// What a process with ROLE worker (or all) runs, for main.ts and worker-main.ts alike: the task engine
// with callback delivery plugged in (the settle hook enqueues a request's callback in the transaction
// that makes it final; the callback executor delivers it), and the periodic subject purge.
import type { Clock, IdSource } from './clock.ts';
import type { GatewayConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { SUBJECT_HASH_KEY_SECRET } from './domain/subject.ts';

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
  const [{ createCallbackExecutor }, { createCallbackTransport }, { callbackSettleHooks }, { callbackSettingsFromConfig }, { startSubjectPurge }, { startWorker }] =
    await Promise.all([
      import('./callbacks/callback-executor.ts'),
      import('./callbacks/deliver-callback.ts'),
      import('./callbacks/settle-hooks.ts'),
      import('./callbacks/url-policy.ts'),
      import('./privacy/purge-schedule.ts'),
      import('./worker/worker.ts'),
    ]);
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
    ...(deps.workerId === undefined ? {} : { workerId: deps.workerId }),
    ...(deps.listen === undefined ? {} : { listen: deps.listen }),
  });
  // Data minimisation: personal data goes a configured time after its request is final; idempotency
  // answers after their TTL. Without the subject hash key (a bare worker in tests) nothing is purged.
  const hashKey = deps.config.secrets.get(SUBJECT_HASH_KEY_SECRET);
  const purge =
    hashKey === undefined
      ? null
      : startSubjectPurge({
          db: deps.database.db,
          clock: deps.clock,
          logger: deps.logger,
          purgeAfterDays: deps.config.file.privacy.purgeSubjectAfterDays,
          idempotencyTtlHours: deps.config.file.privacy.idempotencyTtlHours,
          hashKey,
        });
  return {
    wake: () => worker.wake(),
    async stop() {
      await purge?.stop();
      await worker.stop();
      await transport.close();
    },
  };
}
