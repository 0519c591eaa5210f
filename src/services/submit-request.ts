// Accepting an erasure request. Everything is checked before writing — the input, then the tenant's
// open-task quota; then ONE statement (one round trip, its own transaction: src/db/sql/submit-request.ts)
// writes the request (owned by the caller's tenant), its idempotency key (scoped to that tenant), its
// tasks and its first event, and nudges the workers.
// A 202 therefore means the whole request is durable, and a refusal leaves nothing behind.
import { createHash } from 'node:crypto';
import type { Clock, IdSource } from '../clock.ts';
import { tenantSettingsOf, type GatewayConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { deleteExpiredIdempotencyKey, findIdempotencyKey, type IdempotencyRecord } from '../db/idempotency.ts';
import type { JsonObject } from '../domain/json.ts';
import { isIdempotencyKeyConflict, submitRequestStatement, type SubmitRow } from '../db/sql/submit-request.ts';
import { nudgeWorkers } from '../db/notify.ts';
import type { TargetStateCount } from '../db/tasks.ts';
import { checkCallbackUrl, DEFAULT_CALLBACK_PORTS } from '../domain/callback-url.ts';
import { actorOf, viewerOf, type Caller } from '../domain/caller.ts';
import { defaultDueAt } from '../domain/deadlines.ts';
import { problem, type ProblemIssue } from '../domain/errors.ts';
import { canonicalJson } from '../domain/event-chain.ts';
import { resolveIdentityTargets } from '../domain/identity-targets.ts';
import { hashSubject, identityKinds, SUBJECT_HASH_KEY_SECRET } from '../domain/subject.ts';
import { checkTargetConnections, checkTargetDates, countPlannedTasks, expandTargets, MAX_TASKS_PER_REQUEST, type PlannedTask } from '../domain/targets.ts';
import type { ErasureRequestInput, ErasureRequestResource } from '../domain/erasure-request.ts';
import type { Logger } from '../logger.ts';
import { idempotencyCutoff } from '../privacy/expire-idempotency-keys.ts';
import type { Metrics } from '../metrics.ts';
import type { OpenTaskQuota } from './open-task-quota.ts';
import { toRequestResource, type RequestViewRow } from './request-view.ts';

export type SubmitDeps = {
  config: GatewayConfig;
  database: Database;
  clock: Clock;
  ids: IdSource;
  metrics: Metrics;
  /** This process's view of each tenant's open tasks (one per process: services/open-task-quota.ts). */
  openTaskQuota: OpenTaskQuota;
  wakeWorkers?: () => void;
  logger?: Pick<Logger, 'warn'>;
};

export type SubmitCommand = {
  input: ErasureRequestInput;
  /** Who sent it: the actor; its tenant owns the request and scopes the idempotency key. */
  caller: Caller;
  idempotencyKey?: string;
};

export type SubmitOutcome =
  | { replayed: false; status: 202; requestId: string; body: ErasureRequestResource }
  /** An earlier submit with the same Idempotency-Key: its status and exact body. */
  | { replayed: true; status: number; requestId: string; body: JsonObject };

/** Hash of the body's canonical JSON: key order and whitespace do not make two bodies differ. */
export function bodyFingerprint(input: ErasureRequestInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

export async function submitErasureRequest(deps: SubmitDeps, command: SubmitCommand): Promise<SubmitOutcome> {
  const { input, caller, idempotencyKey } = command;
  const { tenant } = caller;
  const db = deps.database.db;
  const fingerprint = idempotencyKey === undefined ? null : bodyFingerprint(input);
  /** A refused submit may be the replay of one accepted earlier: then the stored answer wins. */
  const replayOr = async (refusal: unknown): Promise<SubmitOutcome> => {
    if (idempotencyKey !== undefined && fingerprint !== null) {
      const earlier = await findIdempotencyKey(db, tenant, idempotencyKey);
      if (earlier !== undefined && !expired(earlier, deps.config, deps.clock.now())) return replay(earlier, fingerprint);
    }
    throw refusal;
  };

  // No read before the write: the insert itself finds an earlier submit (a unique violation on the key).
  // A request that would now be refused may still be the replay of an accepted one (dates move on,
  // configuration changes): then the stored answer wins, as it did when the key was read first.
  const now = deps.clock.now();
  let callbackUrl: string | null;
  let discoveries: ReadonlyMap<number, JsonObject>;
  try {
    discoveries = checkRequest(deps.config, input, now);
    callbackUrl = input.callbackUrl === undefined ? null : acceptedCallbackUrl(deps.config, input.callbackUrl);
  } catch (refusal) {
    return replayOr(refusal);
  }

  const id = deps.ids.uuid();
  const plan = expandTargets(input.targets, discoveries);
  const dueAt = input.dueAt === undefined ? defaultDueAt(input.regulation, now) : new Date(input.dueAt);
  const subject = input.subject === undefined ? null : (input.subject as JsonObject);
  const subjectHashes = input.subject === undefined ? null : (hashSubject(input.subject, subjectHashKey(deps.config)) as JsonObject);
  const row: RequestViewRow = {
    id,
    tenant,
    external_ref: input.externalRef ?? null,
    regulation: input.regulation,
    status: 'pending',
    subject,
    subject_hashes: subjectHashes,
    callback_url: callbackUrl,
    created_at: now,
    updated_at: now,
    completed_at: null,
    cancelled_at: null,
    due_at: dueAt,
    extension: null,
  };
  const tasks = plan.map((t) => ({
    id: deps.ids.uuid(),
    seq: t.seq,
    type: t.type,
    targetIndex: t.targetIndex,
    connection: t.connection,
    locator: t.locator,
  }));
  // Every task starts pending, so the answer is known before writing; the idempotency row stores it.
  const resource = toRequestResource(row, pendingCounts(id, plan), now, viewerOf(caller));

  const { maxOpenTasks } = tenantSettingsOf(deps.config, tenant);
  const quota = await deps.openTaskQuota.reserve(tenant, tasks.length, maxOpenTasks);
  if (!quota.ok) {
    return replayOr(
      problem(
        'quota-exceeded',
        `Tenant "${tenant}" has ${quota.open} open tasks; this request adds ${tasks.length}, and at most ${maxOpenTasks} may be open at once. ` +
          'Nothing was written: submit again once some of its requests are final.',
      ),
    );
  }

  const statement: SubmitRow = {
    id,
    externalRef: row.external_ref,
    regulation: input.regulation,
    subject,
    subjectHashes,
    callbackUrl,
    tenant,
    createdBy: caller.name,
    dueAt,
    now,
    tasks,
    idempotency:
      idempotencyKey !== undefined && fingerprint !== null
        ? { apiKeyName: caller.name, key: idempotencyKey, bodyHash: fingerprint, responseBody: resource }
        : null,
    event: { actor: actorOf(caller), data: createdEventData(input, plan, dueAt, callbackUrl !== null) },
  };
  for (let attempt = 0; ; attempt += 1) {
    try {
      await submitRequestStatement(deps.database, statement);
      quota.reservation.commit();
      break;
    } catch (error) {
      if (!isIdempotencyKeyConflict(error) || idempotencyKey === undefined || fingerprint === null) {
        quota.reservation.release();
        throw error;
      }
      // An earlier submit holds the key (a concurrent one has committed: our insert waited for it).
      const winner = await findIdempotencyKey(db, tenant, idempotencyKey);
      if (winner === undefined) {
        quota.reservation.release();
        throw new Error('idempotency key conflicted but no committed row was found', { cause: error });
      }
      if (!expired(winner, deps.config, now) || attempt > 0) {
        quota.reservation.release();
        return replay(winner, fingerprint);
      }
      // Its answer has expired but is not deleted yet (the purge runs every few minutes): the key is free.
      await deleteExpiredIdempotencyKey(db, tenant, idempotencyKey, idempotencyCutoff(now, deps.config.file.privacy.idempotencyTtlHours));
    }
  }

  deps.metrics.requestsCreated.inc({ regulation: input.regulation });
  // After commit, so a woken worker finds the tasks; coalesced across concurrent submits.
  nudgeWorkers(deps.database.pool, (err) => deps.logger?.warn({ err }, 'NOTIFY erasure_tasks failed; workers will find the tasks by polling'));
  deps.wakeWorkers?.();
  return { status: 202, requestId: id, body: resource, replayed: false };
}

/** Kept `privacy.idempotencyTtlHours`: after that a key is free for a new request. */
function expired(record: IdempotencyRecord, config: GatewayConfig, now: Date): boolean {
  return record.created_at < idempotencyCutoff(now, config.file.privacy.idempotencyTtlHours);
}

function replay(record: IdempotencyRecord, fingerprint: string): SubmitOutcome {
  if (record.body_hash !== fingerprint) {
    throw problem(
      'idempotency-key-reuse',
      'This Idempotency-Key was already used with a different request body. Use a new key for a new request.',
    );
  }
  return { status: record.response_status, requestId: record.request_id, body: record.response_body, replayed: true };
}

/** Refuses what cannot be done; answers the resolved locators of the identity targets' discovery tasks. */
function checkRequest(config: GatewayConfig, input: ErasureRequestInput, now: Date): Map<number, JsonObject> {
  const invalid: ProblemIssue[] = checkTargetDates(input.targets, now);
  const tasks = countPlannedTasks(input.targets);
  if (tasks > MAX_TASKS_PER_REQUEST) {
    invalid.push({ path: 'body.targets', message: `the targets expand to ${tasks} tasks; at most ${MAX_TASKS_PER_REQUEST} per request` });
  }
  const identity = input.targets.some((t) => t.type === 'koreai.user' || t.type === 'cartesia.subject');
  const resolved = identity
    ? resolveIdentityTargets({ targets: input.targets, subject: input.subject, connections: config.file.connections, now, hashKey: subjectHashKey(config) })
    : { issues: [], locators: new Map<number, JsonObject>() };
  invalid.push(...resolved.issues);
  if (invalid.length > 0) throw problem('validation', invalid.map((i) => i.message).join('; '), { errors: invalid });
  const unknown = checkTargetConnections(input.targets, config.file.connections);
  if (unknown.length > 0) throw problem('unknown-connection', unknown.map((i) => i.message).join('; '), { errors: unknown });
  return resolved.locators;
}

function acceptedCallbackUrl(config: GatewayConfig, raw: string): string {
  const callbacks = config.file.callbacks;
  const verdict = checkCallbackUrl(raw, {
    allowedHosts: callbacks?.allowedHosts ?? [],
    allowPrivateNetworks: callbacks?.allowPrivateNetworks ?? false,
    // As callbacks/url-policy.ts at delivery: receivers on a developer's machine rarely speak TLS.
    allowHttp: config.sandbox || (callbacks?.allowPrivateNetworks ?? false),
    allowedPorts: callbacks?.allowedPorts ?? DEFAULT_CALLBACK_PORTS,
  });
  if (verdict.ok) return verdict.url;
  const errors = [{ path: 'body.callbackUrl', message: verdict.message }];
  if (verdict.reason === 'invalid') throw problem('validation', `callbackUrl ${verdict.message}`, { errors });
  throw problem('callback-host-not-allowed', verdict.message, { errors });
}

export function subjectHashKey(config: Pick<GatewayConfig, 'secrets'>): string {
  const key = config.secrets.get(SUBJECT_HASH_KEY_SECRET);
  if (key === undefined) throw new Error(`secret ${SUBJECT_HASH_KEY_SECRET} is not configured`);
  return key;
}

function pendingCounts(requestId: string, plan: readonly PlannedTask[]): TargetStateCount[] {
  const byTarget = new Map<number, TargetStateCount>();
  for (const t of plan) {
    const c = byTarget.get(t.targetIndex);
    if (c === undefined) byTarget.set(t.targetIndex, { requestId, targetIndex: t.targetIndex, type: t.type, connection: t.connection, state: 'pending', count: 1 });
    else c.count += 1;
  }
  return [...byTarget.values()];
}

/** What the audit trail records about a new request: shapes and counts, never subject values. */
function createdEventData(input: ErasureRequestInput, plan: readonly PlannedTask[], dueAt: Date, hasCallback: boolean): JsonObject {
  const tasksByType: Record<string, number> = {};
  for (const t of plan) tasksByType[t.type] = (tasksByType[t.type] ?? 0) + 1;
  return {
    regulation: input.regulation,
    dueAt: dueAt.toISOString(),
    externalRef: input.externalRef ?? null,
    targets: input.targets.map((t) => ({ type: t.type, connection: t.connection })),
    tasks: tasksByType,
    subjectIdentities: input.subject === undefined ? [] : identityKinds(input.subject),
    callback: hasCallback,
  };
}
