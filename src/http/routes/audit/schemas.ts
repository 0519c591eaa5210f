// What the audit and evidence routes answer.
import { z } from 'zod';
import { REGULATIONS, REQUEST_STATUSES, TASK_STATES } from '../../../domain/types.ts';
import { timestamp } from '../../schemas/common.ts';
import { requestExtensionSchema } from '../../schemas/erasure-request-resource.ts';
import type { ChainVerdict } from '../../../domain/event-chain.ts';
import type { EvidencePayload } from '../../../evidence/evidence-document.ts';
import type { CheckpointResource } from '../../../audit/list-checkpoints.ts';
import type { SameType } from '../../../domain/same-type.ts';

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
          'task.retried, request.retried, task.lease_expired, task.lease_released, callback.scheduled, callback.delivered, ' +
          'callback.attempt_failed, callback.failed, callback.superseded, subject.purged, ' +
          'koreai.job_submit_answer_lost (a submit got no usable answer: Kore.ai may hold a job the gateway never saw), ' +
          'discovery.page, discovery.tasks_added, discovery.completed (what an identity target searched: counts and keyed hashes), ' +
          'task.skipped, task.resolved (operator actions: `resolution: manual`, attested by the operator, with its reference), ' +
          'request.extended (the deadline\'s one extension: previous and new due date)',
      ),
    taskId: z.guid().nullable(),
    data: jsonObject.describe('Never a subject identifier, a locator, a secret or upstream free text (allow-listed upstream references only)'),
    prevHash: hash.describe('hash of the event before (64 zeros for the first)'),
    hash: hash.describe('SHA-256 of the canonical JSON of request_id, seq, at, actor, type, task_id, data, prev_hash'),
  })
  .meta({ id: 'AuditEvent' });

export const auditEventPageSchema = z
  .object({ data: z.array(auditEventSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'AuditEventPage' });

export const chainVerdictSchema = z
  .union([
    z.object({
      valid: z.literal(true),
      events: z.int().nonnegative(),
      headHash: hash.describe('hash of the last event, equal to the head stored with the request'),
      checkpoints: z.int().nonnegative().describe('How many heads recorded by signed checkpoints the chain agrees with'),
    }),
    z.object({
      valid: z.literal(false),
      events: z.int().nonnegative(),
      brokenAt: z.object({
        seq: z.int().positive().describe('The first event whose link does not verify, or the first one missing'),
        reason: z
          .enum(['hash_mismatch', 'prev_hash_mismatch', 'sequence_gap', 'empty_chain', 'missing_first_event', 'missing_tail', 'head_mismatch', 'checkpoint_mismatch'])
          .describe(
            'empty_chain: no event at all; missing_first_event: it does not start at 1; missing_tail: the stored head is beyond the last event; ' +
              'head_mismatch: the last event is not the stored head; checkpoint_mismatch: a signed checkpoint recorded a head this chain no longer has',
          ),
        checkpointId: z.int().positive().optional().describe('checkpoint_mismatch: the latest checkpoint that disagrees'),
      }),
    }),
  ])
  .meta({ id: 'ChainVerdict' });
true satisfies SameType<z.output<typeof chainVerdictSchema>, ChainVerdict>;

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
  resolution: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('manual'),
        attestation: z.literal('operator').describe('The deletion is attested by the operator (`by`, with `reference`), not confirmed by the vendor\'s API'),
        by: z.string(),
        reference: z.string(),
        at: timestamp,
      }),
      z.object({ kind: z.literal('skipped').describe('Closed by an operator with a reason: not erased'), by: z.string(), reason: z.string(), at: timestamp }),
    ])
    .optional()
    .describe('Tasks an operator closed: skipped, or resolved by hand'),
});

export const evidencePayloadSchema = z
  .object({
    schema: z.literal('erasure-evidence/v1'),
    iss: z.string(),
    sub: z.guid().describe('The request id'),
    jti: z.guid().optional().describe('The evidence id: evidence signed when the request became final and stored (absent on a provisional document)'),
    supersedes: z.guid().nullable().describe('The id (jti) of the evidence of an earlier finality this one replaces: the request was re-driven since'),
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
      extension: requestExtensionSchema.optional().describe('The deadline\'s one extension, when it was extended'),
    }),
    summary: z.object({ tasks: z.int().nonnegative(), byState: z.partialRecord(z.enum(TASK_STATES), z.int()) }),
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
true satisfies SameType<z.output<typeof evidencePayloadSchema>, EvidencePayload>;

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

const checkpointInclusionSchema = z
  .object({
    requestId: z.guid(),
    seq: z.int().nonnegative().describe("The request's head in this checkpoint: its last event's seq (0: no event)"),
    headHash: hash.describe("That event's hash"),
    leafIndex: z.int().nonnegative(),
    treeSize: z.int().positive(),
    path: z.array(hash).describe('RFC 9162 audit path, from the leaf up'),
  })
  .meta({ id: 'CheckpointInclusion' });

export const checkpointSchema = z
  .object({
    id: z.int().positive().describe('1, 2, 3…: a gap in archived ids means checkpoints were removed'),
    createdAt: timestamp,
    treeSize: z.int().nonnegative().describe('Requests covered'),
    rootHash: hash.describe('Root of the Merkle tree over every request head'),
    kid: z.string().describe('The key that signed it (in /.well-known/jwks.json)'),
    jws: z.string().describe('The signed checkpoint: compact JWS, typ erasure-checkpoint+jwt, payload {schema, iss, id, iat, createdAt, tree, treeSize, rootHash, previous}'),
    inclusion: checkpointInclusionSchema.nullable().optional().describe('With requestId: its inclusion proof; null when the request is not in this checkpoint'),
    storedHeadsMatchRoot: z.boolean().optional().describe('With requestId: false when the heads stored for this checkpoint no longer give its signed root (tampering)'),
  })
  .meta({ id: 'AuditCheckpoint' });
true satisfies SameType<z.output<typeof checkpointSchema>, CheckpointResource>;

export const checkpointPageSchema = z.object({ data: z.array(checkpointSchema), nextCursor: z.string().nullable() }).meta({ id: 'AuditCheckpointPage' });
