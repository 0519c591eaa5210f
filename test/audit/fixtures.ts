// Rows for tests that exercise audit, evidence, callbacks, cancel/retry and purge below the HTTP layer.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { appendEvents } from '../../src/db/events.ts';
import { lockRequest } from '../../src/db/requests.ts';
import type { DB } from '../../src/db/schema.ts';
import type { JsonObject } from '../../src/domain/json.ts';
import type { RequestStatus, TaskState, TaskType } from '../../src/domain/types.ts';

export type SeedTask = {
  type?: TaskType;
  state?: TaskState;
  connection?: string | null;
  locator?: JsonObject;
  attempts?: number;
  firstSentAt?: Date | null;
  upstreamRef?: JsonObject | null;
  lastError?: JsonObject | null;
  finishedAt?: Date | null;
  phase?: string;
};

export type SeedRequest = {
  id?: string;
  createdAt?: Date;
  dueAt?: Date;
  completedAt?: Date | null;
  status?: RequestStatus;
  subject?: JsonObject | null;
  subjectHashes?: JsonObject | null;
  callbackUrl?: string | null;
  externalRef?: string | null;
  /** Default: the tenant of the test app's portal keys (PORTAL_TENANT). */
  tenant?: string;
  tasks?: SeedTask[];
};

/** The tenant the test config's portal, reader and write-only keys share (test/http/harness.ts). */
export const PORTAL_TENANT = 'privacy-portal';

export const SUBJECT = { email: 'ada.lovelace@example.org', phone: '+44 20 7946 0958' };
export const SUBJECT_HASHES = { email: 'hmac-sha256:5f2b0c1d', phone: 'hmac-sha256:9a8e7f6d' };

/** A request with tasks and a first `request.created` event, as intake would write them. */
export async function seedRequest(db: Kysely<DB>, seed: SeedRequest = {}): Promise<{ id: string; taskIds: string[] }> {
  const id = seed.id ?? randomUUID();
  const createdAt = seed.createdAt ?? new Date('2026-01-01T00:00:00.000Z');
  const tasks = seed.tasks ?? [{}];
  const taskIds: string[] = [];
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('erasure_request')
      .values({
        id,
        external_ref: seed.externalRef ?? null,
        regulation: 'gdpr',
        subject: seed.subject === undefined ? SUBJECT : seed.subject,
        subject_hashes: seed.subjectHashes === undefined ? SUBJECT_HASHES : seed.subjectHashes,
        callback_url: seed.callbackUrl ?? null,
        status: seed.status ?? 'pending',
        created_by: 'privacy-portal',
        tenant: seed.tenant ?? PORTAL_TENANT,
        created_at: createdAt,
        updated_at: createdAt,
        due_at: seed.dueAt ?? new Date(createdAt.getTime() + 30 * 86_400_000),
        completed_at: seed.completedAt ?? null,
        task_count: tasks.length,
      })
      .execute();
    for (const [i, t] of tasks.entries()) {
      const taskId = randomUUID();
      taskIds.push(taskId);
      await trx
        .insertInto('task')
        .values({
          id: taskId,
          request_id: id,
          seq: i + 1,
          type: t.type ?? 'cartesia.call',
          target_index: t.type === 'callback' ? null : 0,
          connection: t.connection === undefined ? 'cartesia-prod' : t.connection,
          locator: t.locator ?? { callId: `call_${i + 1}` },
          state: t.state ?? 'pending',
          phase: t.phase ?? 'start',
          claimed_from: null,
          attempts: t.attempts ?? 0,
          next_attempt_at: createdAt,
          lease_owner: t.state === 'running' ? 'worker:test' : null,
          lease_expires_at: t.state === 'running' ? new Date(createdAt.getTime() + 60_000) : null,
          upstream_ref: t.upstreamRef ?? null,
          last_error: t.lastError ?? null,
          created_at: createdAt,
          updated_at: createdAt,
          first_sent_at: t.firstSentAt ?? null,
          finished_at: t.finishedAt ?? null,
        })
        .execute();
    }
    await lockRequest(trx, id);
    await appendEvents(trx, id, [
      { type: 'request.created', actor: 'api-key:privacy-portal', at: createdAt, data: { targets: 1, tasks: tasks.length } },
    ]);
  });
  return { id, taskIds };
}

export async function addEvents(db: Kysely<DB>, requestId: string, types: string[], at: Date, taskId: string | null = null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockRequest(trx, requestId);
    await appendEvents(trx, requestId, types.map((type, i) => ({ type, actor: 'worker:test', at, taskId, data: { n: i } })));
  });
}

export async function eventTypes(db: Kysely<DB>, requestId: string): Promise<string[]> {
  const rows = await db.selectFrom('request_event').select('type').where('request_id', '=', requestId).orderBy('seq').execute();
  return rows.map((r) => r.type);
}
