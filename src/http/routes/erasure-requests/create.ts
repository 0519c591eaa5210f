// POST /v1/erasure-requests — submit an erasure request.
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { submitErasureRequest } from '../../../services/submit-request.ts';
import type { ZodApp } from '../../app-deps.ts';
import { callerOf } from '../../plugins/auth.ts';
import { erasureRequestInput, idempotencyKeyHeader } from '../../schemas/erasure-request-input.ts';
import { erasureRequestSchema } from '../../schemas/erasure-request-resource.ts';
import { problemResponses } from '../../schemas/problem.ts';

export function createErasureRequest(app: ZodApp): void {
  const { openTaskQuota } = app.deps;
  if (openTaskQuota === undefined) throw new Error('createErasureRequest: app.deps.openTaskQuota is not set (buildApp makes it)');
  const submitDeps = { ...app.deps, openTaskQuota };
  app.route({
    method: 'POST',
    url: '/v1/erasure-requests',
    config: { scopes: ['erasure:write'] },
    schema: {
      operationId: 'createErasureRequest',
      tags: ['erasure-requests'],
      summary: 'Submit an erasure request',
      description:
        'Writes the request, its tasks and its first audit event in one transaction: a 202 means it is durable. ' +
        'With an `Idempotency-Key`, the same key and body replay the first answer (`Idempotent-Replayed: true`); ' +
        'the same key with another body is a 422. Idempotency keys are scoped per tenant: every key of one tenant shares them. ' +
        "The request belongs to the key's tenant. A submit that would take the tenant over its open-task quota is a 429 " +
        '`quota-exceeded` and writes nothing.',
      headers: z.looseObject({ 'idempotency-key': idempotencyKeyHeader.optional() }),
      body: erasureRequestInput,
      response: {
        202: erasureRequestSchema.describe('Accepted; `Location` names the new request'),
        ...problemResponses(400, 413, 415, 422, 429, 503),
      },
    },
    handler: async (request, reply) => {
      const outcome = await submitErasureRequest(submitDeps, {
        input: request.body,
        caller: callerOf(request),
        idempotencyKey: request.headers['idempotency-key'],
      });
      const location = `/v1/erasure-requests/${outcome.requestId}`;
      if (outcome.replayed) {
        // The first answer exactly as stored, not re-serialised through today's schema.
        const raw: FastifyReply = reply;
        return raw
          .code(outcome.status)
          .headers({ location, 'idempotent-replayed': 'true', 'content-type': 'application/json; charset=utf-8' })
          .send(JSON.stringify(outcome.body));
      }
      return reply.code(202).header('location', location).send(outcome.body);
    },
  });
}
