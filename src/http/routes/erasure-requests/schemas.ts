// What the cancel and retry routes answer.
import { z } from 'zod';
import { TASK_STATES } from '../../../domain/types.ts';
import { isStorableText, isWritableInstant, STORABLE_TEXT_MESSAGE, timestamp } from '../../schemas/common.ts';
import { erasureRequestSchema, taskSchema } from '../../schemas/erasure-request-resource.ts';

export const cancelResultSchema = z
  .object({
    request: erasureRequestSchema,
    cancelledTasks: z.int().nonnegative().describe('Tasks cancelled now (nothing had been sent upstream for them)'),
    notCancelled: z
      .array(
        z.object({
          taskId: z.guid(),
          state: z.enum(TASK_STATES),
          reason: z.enum(['sent_upstream', 'running']).describe('sent_upstream: the upstream has the work already; running: a worker is executing it'),
        }),
      )
      .describe('Tasks that run to their end; their outcome stays visible'),
  })
  .meta({ id: 'CancelResult' });

export const retryResultSchema = z
  .object({
    request: erasureRequestSchema,
    retriedTasks: z.int().positive(),
    retriedCallback: z.boolean().describe('true: no erasure task had failed; the last failed callback delivery is re-driven'),
  })
  .meta({ id: 'RetryResult' });

/** Operator text (a reason, a reference, a note): trimmed, `min`–`max` characters, storable. */
function operatorText(min: number, max: number) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine(isStorableText, STORABLE_TEXT_MESSAGE);
}

const NO_PERSONAL_DATA = "The operator's statement, kept with the request's record: never the person's data (no e-mail, phone, user id).";

export const taskIdParams = z.object({ id: z.guid().describe('Erasure request id'), taskId: z.guid().describe('Task id') });

export const skipTaskBody = z
  .strictObject({ reason: operatorText(1, 500).describe(`Why the task is closed without erasure (1–500 characters). ${NO_PERSONAL_DATA}`) })
  .meta({ id: 'SkipTaskInput' });

export const resolveTaskBody = z
  .strictObject({
    reference: operatorText(1, 200).describe(`The ticket or message that confirms the deletion (1–200 characters); kept in the audit trail. ${NO_PERSONAL_DATA}`),
    note: operatorText(0, 1000)
      .optional()
      .describe('Up to 1,000 characters about how it was confirmed; shown on the task only (not in the trail or the evidence) and purged with the request\'s personal data'),
  })
  .meta({ id: 'ResolveTaskInput' });

export const closedTaskResultSchema = z
  .object({ request: erasureRequestSchema, task: taskSchema })
  .meta({ id: 'ClosedTaskResult' });

export const extendBody = z
  .strictObject({
    dueAt: timestamp
      .refine(isWritableInstant, 'must be a date-time between the years 0000 and 9999')
      .describe('The new due date: later than the current one, and no later than the regulation allows (GDPR three calendar months from createdAt, CCPA 90 days, other deadlines.otherMaxDays)'),
    reason: operatorText(1, 500).describe(`Why (1–500 characters); shown on the request and sent with the \`request.extended\` callback. ${NO_PERSONAL_DATA}`),
  })
  .meta({ id: 'ExtendDeadlineInput' });
