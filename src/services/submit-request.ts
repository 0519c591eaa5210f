// Accepting an erasure request. Everything is checked before the transaction; then ONE transaction
// writes the request, its idempotency key, its tasks and its first event, and nudges the workers.
// A 202 therefore means the whole request is durable, and a refusal leaves nothing behind.
import { createHash } from 'node:crypto';
import type { Clock, IdSource } from '../clock.ts';
import type { GatewayConfig } from '../config.ts';
import type { Database } from '../db/database.ts';
import { appendEvents } from '../db/events.ts';
import { claimIdempotencyKey, findIdempotencyKey, type IdempotencyRecord } from '../db/idempotency.ts';
import { insertRequest } from '../db/requests.ts';
import type { JsonObject, NewErasureRequest, NewTask } from '../db/schema.ts';
import { insertTasks, notifyTasksAvailable, type TargetStateCount } from '../db/tasks.ts';
import { checkCallbackUrl } from '../domain/callback-url.ts';
import { defaultDueAt } from '../domain/deadlines.ts';
import { problem, type ProblemIssue } from '../domain/errors.ts';
import { canonicalJson } from '../domain/event-chain.ts';
import { hashSubject, identityKinds, SUBJECT_HASH_KEY_SECRET } from '../domain/subject.ts';
import {
  checkTargetConnections,
  checkTargetDates,
  countPlannedTasks,
  expandTargets,
  MAX_TASKS_PER_REQUEST,
  type PlannedTask,
} from '../domain/targets.ts';
import type { ErasureRequestInput } from '../http/schemas/erasure-request-input.ts';
import type { ErasureRequestResource } from '../http/schemas/erasure-request-resource.ts';
import type { Metrics } from '../metrics.ts';
import { toRequestResource, type RequestViewRow } from './request-view.ts';

export type SubmitDeps = {
  config: GatewayConfig;
  database: Database;
  clock: Clock;
  ids: IdSource;
  metrics: Metrics;
  wakeWorkers?: () => void;
};

export type SubmitCommand = {
  input: ErasureRequestInput;
  /** Name of the API key that sent it: the actor, and the scope of the idempotency key. */
  apiKeyName: string;
  idempotencyKey?: string;
};

export type SubmitOutcome =
  | { replayed: false; status: 202; requestId: string; body: ErasureRequestResource }
  /** An earlier submit with the same Idempotency-Key: its status and exact body. */
  | { replayed: true; status: number; requestId: string; body: JsonObject };

class IdempotencyKeyTaken extends Error {}

/** Hash of the body's canonical JSON: key order and whitespace do not make two bodies differ. */
export function bodyFingerprint(input: ErasureRequestInput): string {
  return createHash('sha256').update(canonicalJson(input)).digest('hex');
}

export async function submitErasureRequest(deps: SubmitDeps, command: SubmitCommand): Promise<SubmitOutcome> {
  const { input, apiKeyName, idempotencyKey } = command;
  const db = deps.database.db;
  const fingerprint = idempotencyKey === undefined ? null : bodyFingerprint(input);

  if (idempotencyKey !== undefined && fingerprint !== null) {
    const earlier = await findIdempotencyKey(db, apiKeyName, idempotencyKey);
    if (earlier !== undefined) return replay(earlier, fingerprint);
  }

  const now = deps.clock.now();
  checkRequest(deps.config, input, now);
  const callbackUrl = input.callbackUrl === undefined ? null : acceptedCallbackUrl(deps.config, input.callbackUrl);

  const id = deps.ids.uuid();
  const plan = expandTargets(input.targets);
  const dueAt = input.dueAt === undefined ? defaultDueAt(input.regulation, now) : new Date(input.dueAt);
  const subject = input.subject === undefined ? null : (input.subject as JsonObject);
  const subjectHashes = input.subject === undefined ? null : (hashSubject(input.subject, subjectHashKey(deps.config)) as JsonObject);
  const row: RequestViewRow = {
    id,
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
  };
  const request: NewErasureRequest = { ...row, created_by: apiKeyName, task_count: plan.length };
  const tasks: NewTask[] = plan.map((t) => ({
    id: deps.ids.uuid(),
    request_id: id,
    seq: t.seq,
    type: t.type,
    target_index: t.targetIndex,
    connection: t.connection,
    locator: t.locator,
    state: 'pending',
    phase: 'start',
    attempts: 0,
    next_attempt_at: now,
    created_at: now,
    updated_at: now,
  }));
  // Every task starts pending, so the answer is known before writing; the idempotency row stores it.
  const resource = toRequestResource(row, pendingCounts(id, plan), now);

  try {
    await db.transaction().execute(async (trx) => {
      await insertRequest(trx, request);
      // The key's primary key serialises concurrent submits. It follows the request row only because
      // its foreign key to erasure_request is not deferrable; nothing else is written before it.
      if (idempotencyKey !== undefined && fingerprint !== null) {
        const claimed = await claimIdempotencyKey(trx, {
          api_key_name: apiKeyName,
          key: idempotencyKey,
          body_hash: fingerprint,
          request_id: id,
          response_status: 202,
          response_body: resource as unknown as JsonObject,
          created_at: now,
        });
        if (!claimed) throw new IdempotencyKeyTaken();
      }
      await insertTasks(trx, tasks);
      await appendEvents(trx, id, [
        { type: 'request.created', actor: `api-key:${apiKeyName}`, at: now, data: createdEventData(input, plan, dueAt, callbackUrl !== null) },
      ]);
      await notifyTasksAvailable(trx);
    });
  } catch (error) {
    if (!(error instanceof IdempotencyKeyTaken) || idempotencyKey === undefined || fingerprint === null) throw error;
    // The winner has committed (our insert waited for it): answer as it did.
    const winner = await findIdempotencyKey(db, apiKeyName, idempotencyKey);
    if (winner === undefined) throw new Error('idempotency key conflicted but no committed row was found', { cause: error });
    return replay(winner, fingerprint);
  }

  deps.metrics.requestsCreated.inc({ regulation: input.regulation });
  deps.wakeWorkers?.();
  return { status: 202, requestId: id, body: resource, replayed: false };
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

function checkRequest(config: GatewayConfig, input: ErasureRequestInput, now: Date): void {
  const invalid: ProblemIssue[] = checkTargetDates(input.targets, now);
  const tasks = countPlannedTasks(input.targets);
  if (tasks > MAX_TASKS_PER_REQUEST) {
    invalid.push({ path: 'body.targets', message: `the targets expand to ${tasks} tasks; at most ${MAX_TASKS_PER_REQUEST} per request` });
  }
  if (invalid.length > 0) throw problem('validation', invalid.map((i) => i.message).join('; '), { errors: invalid });
  const unknown = checkTargetConnections(input.targets, config.file.connections);
  if (unknown.length > 0) throw problem('unknown-connection', unknown.map((i) => i.message).join('; '), { errors: unknown });
}

function acceptedCallbackUrl(config: GatewayConfig, raw: string): string {
  const callbacks = config.file.callbacks;
  const verdict = checkCallbackUrl(raw, {
    allowedHosts: callbacks?.allowedHosts ?? [],
    allowPrivateNetworks: callbacks?.allowPrivateNetworks ?? false,
    // As callbacks/url-policy.ts at delivery: receivers on a developer's machine rarely speak TLS.
    allowHttp: config.sandbox || (callbacks?.allowPrivateNetworks ?? false),
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
