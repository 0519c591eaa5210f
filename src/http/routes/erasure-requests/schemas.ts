// What the cancel and retry routes answer.
import { z } from 'zod';
import { TASK_STATES } from '../../../domain/types.ts';
import { erasureRequestSchema } from '../../schemas/erasure-request-resource.ts';

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
