// POST /v1/tasks/retry — re-drive the caller's tenant's failed tasks that match a filter.
import { z } from 'zod';
import type { BulkRetryFilter } from '../../../domain/erasure-request.ts';
import { bulkRetry } from '../../../services/bulk-retry.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { timestamp } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';

const instant = timestamp.transform((v) => new Date(v));

export const bulkRetryFilterSchema = z
  .strictObject({
    connection: z.string().min(1).max(200).optional().describe('Only tasks of this connection'),
    errorKind: z
      .string()
      .regex(/^[a-z_]{1,64}$/)
      .optional()
      .describe("Only tasks whose last error is of this kind (`lastError.kind`: e.g. `http`, `transport`, `gateway`, `unrecognised_answer`)"),
    failedAfter: instant.optional().describe('Only tasks that failed at or after this instant (their `finishedAt`)'),
    failedBefore: instant.optional().describe('Only tasks that failed before this instant'),
    requestIds: z.array(z.guid()).min(1).max(1000).optional().describe('Only tasks of these requests (at most 1,000)'),
  })
  .meta({ id: 'BulkRetryFilter' });

// The handler assigns the parsed filter to the domain's BulkRetryFilter: a schema that drifts from it does not compile.

const bulkRetryBody = z
  .strictObject({
    filter: bulkRetryFilterSchema,
    dryRun: z.boolean().default(false).describe('true: count what would be re-driven, change nothing'),
  })
  .meta({ id: 'BulkRetryInput' });

const count = z.int().nonnegative();

export const bulkRetryResultSchema = z
  .object({
    matched: count.describe("The tenant's failed erasure tasks that match the filter now (cancelled and purged requests are not matched)"),
    retried: count.describe('Tasks re-driven by this call (0 for a dry run; 0 when run again: nothing new has failed)'),
    requests: count.describe('Number of requests re-driven by this call (for a dry run: that would be); each reopens as a single re-drive does'),
    dryRun: z.boolean(),
  })
  .meta({ id: 'BulkRetryResult' });

export function bulkRetryTasks(app: ZodApp): void {
  app.route({
    method: 'POST',
    url: '/v1/tasks/retry',
    config: { scopes: ['erasure:operate'] },
    schema: {
      operationId: 'bulkRetryTasks',
      tags: ['operator-actions'],
      summary: 'Re-drive failed tasks by filter',
      description:
        "Every failed erasure task of the key's own tenant (even for `allTenants` keys) that matches the filter starts over, as " +
        'POST /v1/erasure-requests/{id}/retry does for one request: pending now, attempts reset, the request reopens and calls back ' +
        'again when final. In chunks of 100 tasks, each request in its own transaction: a crash half-way leaves each request either ' +
        're-driven or untouched, and running it again re-drives only what failed since. An empty filter matches every failed task ' +
        'of the tenant; `dryRun` only counts.',
      body: bulkRetryBody,
      response: {
        200: bulkRetryResultSchema,
        ...problemResponses(400, 503),
      },
    },
    handler: async (request) => {
      const { database, clock } = app.deps;
      const filter: BulkRetryFilter = request.body.filter;
      const result = await bulkRetry(database.db, { caller: callerOf(request), now: clock.now(), filter, dryRun: request.body.dryRun });
      if (result.retried > 0) app.deps.wakeWorkers?.();
      return result;
    },
  });
}
