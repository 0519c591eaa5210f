// What the audit and evidence routes answer.
import { z } from 'zod';
import { REGULATIONS, REQUEST_STATUSES, TASK_STATES } from '../../../domain/types.ts';
import { timestamp } from '../../schemas/common.ts';

const jsonObject = z.record(z.string(), z.unknown());
const hash = z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256, hex');

export const auditEventSchema = z
  .object({
    seq: z.int().positive(),
    at: timestamp,
    actor: z.string().describe('`api-key:<name>`, `worker:<id>` or `system`'),
    type: z
      .string()
      .describe(
        'request.created, upstream.call, task.state_changed, request.status_changed, task.cancelled, request.cancelled, ' +
          'task.retried, request.retried, task.lease_expired, task.lease_released, callback.scheduled, subject.purged, ' +
          'koreai.job_submit_answer_lost (a submit got no usable answer: Kore.ai may hold a job the gateway never saw)',
      ),
    taskId: z.guid().nullable(),
    data: jsonObject.describe('Never a subject identifier or a secret'),
    prevHash: hash.describe('hash of the event before (64 zeros for the first)'),
    hash: hash.describe('SHA-256 of the canonical JSON of request_id, seq, at, actor, type, task_id, data, prev_hash'),
  })
  .meta({ id: 'AuditEvent' });

export const auditEventPageSchema = z
  .object({ data: z.array(auditEventSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditEventPage' });

export const chainVerdictSchema = z
  .union([
    z.object({ valid: z.literal(true), events: z.int().nonnegative(), headHash: hash.describe('hash of the last event') }),
    z.object({
      valid: z.literal(false),
      events: z.int().nonnegative(),
      brokenAt: z.object({
        seq: z.int().positive().describe('The first event whose link does not verify'),
        reason: z.enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap']),
      }),
    }),
  ])
  .meta({ id: 'ChainVerdict' });

const evidenceTaskSchema = z.object({
  id: z.guid(),
  seq: z.int().positive(),
  type: z.string(),
  connection: z.string().nullable(),
  locator: jsonObject,
  state: z.enum(TASK_STATES),
  attempts: z.int().nonnegative(),
  firstSentAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
  upstream: jsonObject.nullable().describe("The upstream's references: job ids and result counts, redacted_at, not-found answers"),
  error: jsonObject.nullable().optional().describe('Failed tasks only'),
  jobIds: z.array(z.string()).optional().describe('Every vendor job id the task received (Kore.ai conversation-deletion jobs), oldest first'),
  notes: z
    .array(z.string())
    .optional()
    .describe('What an auditor must know beyond the state, e.g. a job submit whose answer was lost: "a job may have been queued twice"'),
});

export const evidencePayloadSchema = z
  .object({
    schema: z.literal('erasure-evidence/v1'),
    iss: z.string(),
    sub: z.guid().describe('The request id'),
    iat: z.int().describe('Seconds since the epoch: completedAt for a final request, else the time of issue'),
    issuedAt: timestamp,
    final: z.boolean().describe('false: the request is still in progress and this document will change'),
    request: z.object({
      id: z.guid(),
      externalRef: z.string().nullable(),
      regulation: z.enum(REGULATIONS),
      status: z.enum(REQUEST_STATUSES),
      createdAt: timestamp,
      dueAt: timestamp,
      completedAt: timestamp.nullable(),
      cancelledAt: timestamp.nullable(),
      cancelledBy: z.string().nullable(),
      subjectHashes: jsonObject.nullable().describe('Keyed hashes (HMAC-SHA256) of the subject identities; never the identities'),
    }),
    summary: z.object({ tasks: z.int().nonnegative(), byState: z.record(z.string(), z.int()) }),
    discovery: z
      .array(
        z.object({
          taskId: z.guid(),
          type: z.string(),
          connection: z.string().nullable(),
          state: z.enum(TASK_STATES),
          identities: jsonObject.nullable().describe('The identifiers searched for, as keyed hashes (HMAC-SHA256)'),
          searched: jsonObject.nullable().describe('Range (and windows or agents) searched, pages, sessions or calls seen and matched, tasks found'),
          tasksAdded: z.int().nonnegative().describe('Erasure tasks this discovery added to the request'),
        }),
      )
      .optional()
      .describe('Identity targets only: what each discovery searched'),
    tasks: z.array(evidenceTaskSchema),
    chain: z.object({
      throughSeq: z.int().nonnegative().describe('Events 1..throughSeq are attested: everything up to the request becoming final'),
      events: z.int().nonnegative(),
      headHash: hash.describe('hash of event throughSeq'),
    }),
  })
  .meta({ id: 'EvidencePayload' });

export const evidenceSchema = z
  .object({
    jws: z.string().describe('Compact JWS (EdDSA/Ed25519, typ erasure-evidence+jwt); verify against /.well-known/jwks.json'),
    kid: z.string(),
    payload: evidencePayloadSchema.describe('The signed payload, decoded (for convenience: the jws is what counts)'),
  })
  .meta({ id: 'Evidence' });

export const jwksSchema = z
  .object({
    keys: z.array(
      z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string(), kid: z.string(), alg: z.literal('EdDSA'), use: z.literal('sig') }),
    ),
  })
  .meta({ id: 'JsonWebKeySet' });
