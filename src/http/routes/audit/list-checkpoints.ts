// GET /v1/audit/checkpoints — the signed checkpoints over every request's chain head, newest first; with
// `requestId`, each carries that request's inclusion proof.
import { z } from 'zod';
import { listCheckpointResources } from '../../../audit/list-checkpoints.ts';
import type { ZodApp } from '../../app-deps.ts';
import { cursorParam, pageLimit } from '../../schemas/common.ts';
import { problemResponses } from '../../schemas/problem.ts';
import { checkpointPageSchema } from './schemas.ts';

const checkpointsQuery = z.strictObject({
  limit: pageLimit(100, 20),
  cursor: cursorParam.optional(),
  requestId: z.guid().optional().describe("Add this request's inclusion proof to each checkpoint (each proof reads the checkpoint's leaves: keep pages small)"),
});

export function listAuditCheckpoints(app: ZodApp): void {
  app.route({
    method: 'GET',
    url: '/v1/audit/checkpoints',
    config: { scopes: ['audit:read'] },
    schema: {
      operationId: 'listAuditCheckpoints',
      tags: ['audit'],
      summary: 'List the signed checkpoints over every request\'s chain head',
      description:
        'Every `audit.checkpointMinutes` a worker signs (JWS, the evidence key, `typ: erasure-checkpoint+jwt`) the root of an RFC 9162 ' +
        'Merkle tree (SHA-256) whose leaves are every request\'s chain head, sorted by request id: `SHA-256(0x00 || "<requestId>:<seq>:<headHash>")`. ' +
        'Each checkpoint names the previous one. Archive them: with a request\'s inclusion proof (`requestId`), an archived checkpoint proves ' +
        'what that request\'s chain was, even if the database is later rewritten or the request deleted.',
      querystring: checkpointsQuery,
      response: { 200: checkpointPageSchema, ...problemResponses(400, 503) },
    },
    handler: async (request) => listCheckpointResources(app.deps.database.db, request.query),
  });
}
