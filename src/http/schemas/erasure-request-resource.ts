// What the API answers about an erasure request and its tasks: the domain's resources
// (domain/erasure-request.ts), described for validation, serialisation and the OpenAPI document.
import { z } from 'zod';
import type {
  ErasureRequestPage,
  ErasureRequestResource,
  Progress,
  RequestExtension,
  TaskPage,
  TaskResolution,
  TaskResource,
} from '../../domain/erasure-request.ts';
import type { SameType } from '../../domain/same-type.ts';
import { REGULATIONS, REQUEST_STATUSES, TARGET_TYPES, TASK_STATES, TASK_TYPES } from '../../domain/types.ts';
import { timestamp } from './common.ts';
import { taskBlockSchema } from './connection-resource.ts';

const count = z.int().nonnegative();

export const progressSchema = z
  .object({
    pending: count,
    running: count,
    waiting: count,
    succeeded: count,
    not_found: count,
    failed: count,
    cancelled: count,
    skipped: count,
  })
  .describe('Number of erasure tasks in each state');

export const requestExtensionSchema = z
  .object({
    previousDueAt: timestamp.describe('The due date before the extension'),
    reason: z.string(),
    by: z.string().describe('The key that extended it: `api-key:<name>`'),
    at: timestamp,
  })
  .meta({ id: 'RequestExtension' });

true satisfies SameType<z.output<typeof requestExtensionSchema>, RequestExtension>;

export const taskResolutionSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('manual').describe('Resolved by hand: the vendor confirmed the deletion some other way; attested by the operator, not by the vendor\'s API'),
      by: z.string().describe('The key that resolved it: `api-key:<name>`'),
      reference: z.string().describe('The ticket or message that confirms it'),
      note: z.string().nullable().describe('The operator\'s note; null once the request\'s personal data is purged'),
      at: timestamp,
    }),
    z.object({
      kind: z.literal('skipped').describe('Skipped: closed with a reason, not erased'),
      by: z.string().describe('The key that skipped it: `api-key:<name>`'),
      reason: z.string(),
      at: timestamp,
    }),
  ])
  .meta({ id: 'TaskResolution' });

true satisfies SameType<z.output<typeof taskResolutionSchema>, TaskResolution>;

export const targetSummarySchema = z.object({
  index: z.int().nonnegative().describe('Position of the target in the submitted `targets`'),
  type: z.enum(TARGET_TYPES),
  connection: z.string(),
  tasks: count.describe('Tasks this target expanded to'),
  progress: progressSchema,
});

export const erasureRequestSchema = z
  .object({
    id: z.guid(),
    tenant: z.string().describe('The tenant the request belongs to: the tenant of the API key that submitted it'),
    externalRef: z.string().nullable(),
    regulation: z.enum(REGULATIONS),
    status: z.enum(REQUEST_STATUSES),
    progress: progressSchema,
    targets: z.array(targetSummarySchema),
    subjectProvided: z.boolean().describe('Whether subject identities were given (they are never returned)'),
    callbackUrl: z
      .string()
      .nullable()
      .describe("With its query masked (`https://portal.internal/cb?…`). Null when there is none, and for keys of another tenant (`allTenants` auditors)"),
    createdAt: timestamp,
    updatedAt: timestamp,
    completedAt: timestamp.nullable().describe('When every task reached a final state'),
    cancelledAt: timestamp.nullable(),
    dueAt: timestamp,
    overdue: z.boolean().describe('dueAt has passed and the request is neither completed (with or without exceptions) nor cancelled'),
    extension: requestExtensionSchema.nullable().describe('The deadline\'s one extension (POST …/extend); null when not extended'),
    stalledTasks: count.describe('Open tasks past their expected wait (`stalled` in its tasks)'),
  })
  .meta({ id: 'ErasureRequest' });

true satisfies SameType<z.output<typeof erasureRequestSchema>, ErasureRequestResource>;
true satisfies SameType<z.output<typeof progressSchema>, Progress>;

export const erasureRequestPageSchema = z
  .object({
    data: z.array(erasureRequestSchema),
    nextCursor: z.string().nullable().describe('Pass as `cursor` for the next page; null on the last page'),
  })
  .meta({ id: 'ErasureRequestPage' });

true satisfies SameType<z.output<typeof erasureRequestPageSchema>, ErasureRequestPage>;

const jsonObject = z.record(z.string(), z.unknown());

export const taskSchema = z
  .object({
    id: z.guid(),
    seq: z.int().positive(),
    type: z.enum(TASK_TYPES),
    targetIndex: z.int().nonnegative().nullable(),
    connection: z.string().nullable(),
    locator: jsonObject.describe(
      'What this task erases upstream, e.g. {"sessionId": "…"}. For a callback delivery `{"url": …}`, masked as the request\'s `callbackUrl` (null for another tenant)',
    ),
    state: z.enum(TASK_STATES),
    phase: z.string().describe('Step within a multi-step task'),
    attempts: count,
    nextAttemptAt: timestamp,
    lastError: jsonObject.nullable(),
    upstreamRef: jsonObject.nullable().describe('Upstream reference: job id, result counts, redacted_at, HTTP status'),
    createdAt: timestamp,
    updatedAt: timestamp,
    finishedAt: timestamp.nullable(),
    blocked: taskBlockSchema.nullable(),
    resolution: taskResolutionSchema.nullable().describe('How an operator closed the task (skipped with a reason, or resolved by hand); null otherwise'),
    stalled: z.boolean().describe('Open past its expected wait (its due time, its lease, or its vendor wait\'s bound, plus `watchdog.graceMinutes`): someone should look. With `blocked` set, the hold is why'),
    stalledSince: timestamp.nullable().describe('When the task went past its expected wait; null unless `stalled`'),
  })
  .meta({ id: 'Task' });

true satisfies SameType<z.output<typeof taskSchema>, TaskResource>;

export const taskPageSchema = z
  .object({ data: z.array(taskSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'TaskPage' });

true satisfies SameType<z.output<typeof taskPageSchema>, TaskPage>;
