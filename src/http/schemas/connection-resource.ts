// What the API answers about connections and their checks (domain/connection-check.ts), described for
// validation, serialisation and the OpenAPI document.
import { z } from 'zod';
import {
  CONNECTION_CHECK_RESULTS,
  type ConnectionCheckRecord,
  type ConnectionCheckResource,
  type ConnectionList,
  type ConnectionResource,
  type TaskBlock,
} from '../../domain/connection-check.ts';
import type { SameType } from '../../domain/same-type.ts';
import { timestamp } from './common.ts';

export const connectionCheckRecordSchema = z
  .object({
    result: z
      .enum(CONNECTION_CHECK_RESULTS)
      .describe(
        '`ok`: the vendor answered in its own recognised shape (key and address proven); `auth_failed`: the vendor refused the key; ' +
          '`unexpected_answer`: something that is not the vendor\'s answer (HTML page, route not found, wrong API version); ' +
          '`unreachable`: no conclusive answer now (no answer, timeout, 5xx, rate limited)',
      ),
    httpStatus: z.int().nullable().describe('HTTP status of the answer; null when none came'),
    code: z.string().nullable().describe('Why, as a machine code: the vendor\'s error code, or the gateway\'s (`not_json`, `route_not_found`, `timeout`…)'),
    latencyMs: z.int().nullable(),
    checkedAt: timestamp,
    checkedBy: z.string().describe('`worker:<id>` or `api-key:<name>`'),
  })
  .meta({ id: 'ConnectionCheck' });

true satisfies SameType<z.output<typeof connectionCheckRecordSchema>, ConnectionCheckRecord>;

export const taskBlockSchema = z
  .object({
    reason: z.literal('blocked_by_connection'),
    check: connectionCheckRecordSchema,
  })
  .describe('The task is not sent: its connection\'s last check failed (auth_failed or unexpected_answer); it goes on once a check passes');

true satisfies SameType<z.output<typeof taskBlockSchema>, TaskBlock>;

export const connectionSchema = z
  .object({
    name: z.string(),
    type: z.enum(['koreai', 'cartesia']),
    baseUrl: z.string().describe('The configured base URL (without user info, query or fragment)'),
    botId: z.string().nullable().describe('Kore.ai: the bot; null for Cartesia'),
    apiVersion: z.string().nullable().describe('Cartesia: the Cartesia-Version sent; null for Kore.ai'),
    limits: z.object({
      windows: z.array(z.object({ max: z.int(), seconds: z.number() })),
      concurrency: z.int().nullable(),
    }),
    lastCheck: connectionCheckRecordSchema.nullable().describe('The last check by any process; null before the first'),
    blocked: z.boolean().describe('True while the last check holds the connection\'s deletions (auth_failed, unexpected_answer)'),
    pausedUntil: timestamp.nullable().describe('Set while the connection is paused after a rate-limit answer'),
  })
  .meta({ id: 'Connection' });

true satisfies SameType<z.output<typeof connectionSchema>, ConnectionResource>;

export const connectionListSchema = z.object({ data: z.array(connectionSchema) }).meta({ id: 'ConnectionList' });

true satisfies SameType<z.output<typeof connectionListSchema>, ConnectionList>;

export const connectionCheckResourceSchema = connectionCheckRecordSchema
  .extend({
    connection: z.string(),
    blocked: z.boolean().describe('Whether this result holds the connection\'s deletions'),
  })
  .meta({ id: 'ConnectionCheckResult' });

true satisfies SameType<z.output<typeof connectionCheckResourceSchema>, ConnectionCheckResource>;
