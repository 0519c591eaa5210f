// What a process with ROLE worker (or all) runs, for main.ts and worker-main.ts alike: the task engine
// with evidence and callback delivery plugged in (the settle hooks sign and store a request's evidence
// and enqueue its callback in the transaction that makes it final; the callback executor delivers it),
// the connection checks, the periodic privacy purge, and the signed audit checkpoints.
import { hostname } from 'node:os';
import type { Clock, IdSource } from './clock.ts';
import type { GatewayConfig } from './config.ts';
import type { Database } from './db/database.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { SUBJECT_HASH_KEY_SECRET } from './domain/subject.ts';
import type { SettleHooks } from './db/sql/settle-tasks.ts';
import type { EvidenceSigningKey } from './evidence/signing-key.ts';

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
  /**
   * The evidence key, when this worker's signatures verify against the API's JWKS (a configured key, or
   * the API in this same process): evidence is then signed in the transaction that makes a request final,
   * and checkpoints are signed. Without it, the first fetch of a final request signs its evidence.
   */
  evidenceKey?: EvidenceSigningKey | undefined;
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
    { evidenceSettleHooks },
    { startCheckpoints },
  ] = await Promise.all([
    import('./callbacks/callback-executor.ts'),
    import('./callbacks/deliver-callback.ts'),
    import('./callbacks/settle-hooks.ts'),
    import('./callbacks/url-policy.ts'),
    import('./privacy/purge-schedule.ts'),
    import('./worker/worker.ts'),
    import('./services/connection-check-schedule.ts'),
    import('./upstreams/connection-probes.ts'),
    import('./evidence/settle-hooks.ts'),
    import('./audit/checkpoint-schedule.ts'),
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
  const hashKey = deps.config.secrets.get(SUBJECT_HASH_KEY_SECRET);
  const signer = deps.evidenceKey === undefined || hashKey === undefined ? null : { key: deps.evidenceKey, hashKey, ids: deps.ids };
  const callbackHooks = callbackSettleHooks({ ids: deps.ids });
  const evidenceHooks = signer === null ? null : evidenceSettleHooks(signer);
  // When requests become final: their evidence first (a batch; the chain it attests ends before the
  // callback's events), then each one's callback delivery — all in the transaction that made them final.
  const hooks: SettleHooks = { ...evidenceHooks, ...callbackHooks };
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
    hooks,
    workerId,
    onCallRefused: (connection) => checks.checkSoon(connection),
    ...(deps.listen === undefined ? {} : { listen: deps.listen }),
  });
  wake = () => worker.wake();
  // Data minimisation: personal data goes a configured time after its request is final; idempotency
  // answers after their TTL. Without the subject hash key (a bare worker in tests) nothing is purged.
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
  // Signed checkpoints over every request's chain head, by whichever worker comes first.
  const checkpoints =
    deps.evidenceKey === undefined
      ? null
      : startCheckpoints({ db: deps.database.db, clock: deps.clock, logger: deps.logger, key: deps.evidenceKey, intervalMinutes: deps.config.file.audit.checkpointMinutes });
  return {
    wake: () => worker.wake(),
    async stop() {
      await checkpoints?.stop();
      await purge?.stop();
      await checks.stop();
      await worker.stop();
      await Promise.all([transport.close(), probe.close()]);
    },
  };
}
