// The evidence document: what was erased where and when, with the upstream's references and the head of
// the audit chain. Pure: it takes rows and returns the JWS payload. Kept for ever, so it holds nothing
// that names the person: the subject's keyed hashes, person-level locators (a channel user id) as keyed
// hashes (domain/person-locators.ts), and of the upstream's answers only what the trail's allow-list keeps
// (domain/trail-reference.ts) — never their free text. So the purge changes nothing in it. A task an
// operator closed says so (`resolution`): skipped with its reason, or resolved by hand — attested by the
// operator with a reference, distinct from the vendor's own confirmation (`upstream`); the operator's
// note is not in it (free text, purged with the personal data).
import type { ErasureRequestRow, TaskRow } from '../db/schema.ts';
import type { RequestExtension, TaskResolution } from '../domain/erasure-request.ts';
import type { JsonObject } from '../domain/json.ts';
import type { StateCounts } from '../domain/status.ts';
import { discoveryResult } from '../domain/discovery.ts';
import { isDiscoveryTaskType, type Regulation, type RequestStatus, type TaskState } from '../domain/types.ts';
import { jobIdsOf, lostSubmitNote, lostSubmitsOf } from '../domain/upstream-jobs.ts';
import { hashPersonLocators } from '../domain/person-locators.ts';
import { trailError, trailReference } from '../domain/trail-reference.ts';

export const EVIDENCE_SCHEMA = 'erasure-evidence/v1';

export type EvidenceChain = {
  /** Events 1..throughSeq are what the evidence attests (all events up to the request becoming final). */
  throughSeq: number;
  events: number;
  /** Hash of event `throughSeq`: compare with GET /v1/erasure-requests/{id}/events. */
  headHash: string;
};

export type EvidenceTask = {
  id: string;
  seq: number;
  type: string;
  connection: string | null;
  locator: JsonObject;
  state: TaskState;
  attempts: number;
  firstSentAt: string | null;
  finishedAt: string | null;
  /** The upstream's references (allow-listed): job ids and result counts, `redactedAt`, the not-found status and code. */
  upstream: JsonObject | null;
  /** Only for `failed` tasks: the last error's kind, status and code. */
  error?: JsonObject | null;
  /** Every vendor job id the task received (Kore.ai conversation-deletion jobs), oldest first. */
  jobIds?: string[];
  /** What an auditor must know beyond the verdict: e.g. a submit whose answer was lost ("a job may have been queued twice"). */
  notes?: string[];
  /** Closed by an operator: skipped (with the reason), or resolved by hand (operator-attested, with the reference). */
  resolution?: EvidenceResolution;
};

/** How an operator closed a task, as the evidence states it. */
export type EvidenceResolution =
  | { kind: 'manual'; attestation: 'operator'; by: string; reference: string; at: string }
  | { kind: 'skipped'; by: string; reason: string; at: string };

/** The resolution as evidence shows it: the note stays out (operator free text, purged later). */
export function evidenceResolution(r: TaskResolution): EvidenceResolution {
  return r.kind === 'manual' ? { kind: 'manual', attestation: 'operator', by: r.by, reference: r.reference, at: r.at } : r;
}

/** What one discovery searched: the evidence shows what was looked for, not only what was erased. */
export type EvidenceDiscovery = {
  taskId: string;
  type: string;
  connection: string | null;
  state: TaskState;
  /** The identifiers searched for, as keyed hashes. */
  identities: JsonObject | null;
  /** Range, windows or agents, pages, sessions or calls seen and matched, tasks found; null before its first page. */
  searched: JsonObject | null;
  /** Tasks it added to the request. */
  tasksAdded: number;
};

export type EvidencePayload = {
  schema: typeof EVIDENCE_SCHEMA;
  iss: string;
  sub: string;
  /** The evidence's id, for evidence signed at finality and stored; absent on a provisional document. */
  jti?: string;
  /** The evidence of an earlier finality this one replaces (the request was re-driven since), or null. */
  supersedes: string | null;
  /** Seconds: the request's completion time when final (so the document is stable), else the time of issue. */
  iat: number;
  issuedAt: string;
  final: boolean;
  request: {
    id: string;
    externalRef: string | null;
    regulation: Regulation;
    status: RequestStatus;
    createdAt: string;
    dueAt: string;
    completedAt: string | null;
    cancelledAt: string | null;
    cancelledBy: string | null;
    subjectHashes: JsonObject | null;
    /** The deadline's one extension, when it was extended. */
    extension?: RequestExtension;
  };
  summary: { tasks: number; byState: StateCounts };
  /** Identity targets: what each discovery searched (absent when the request had none). */
  discovery?: EvidenceDiscovery[];
  tasks: EvidenceTask[];
  chain: EvidenceChain;
};

export type EvidenceInputs = {
  request: ErasureRequestRow;
  /** Erasure tasks only (callback deliveries are not erasure). */
  tasks: readonly TaskRow[];
  chain: EvidenceChain;
  issuer: string;
  now: Date;
  /** The subject hash key: person-level locators appear as their keyed hash. */
  hashKey: string;
  /** Stored evidence only: its id. */
  evidenceId?: string;
  supersedes: string | null;
};

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The job ids and lost submit answers a task's reference records (domain/upstream-jobs.ts), when there are any. */
function jobFacts(ref: JsonObject | null): Pick<EvidenceTask, 'jobIds' | 'notes'> {
  const jobIds = jobIdsOf(ref);
  const notes = lostSubmitsOf(ref).map(lostSubmitNote);
  return { ...(jobIds.length > 0 ? { jobIds } : {}), ...(notes.length > 0 ? { notes } : {}) };
}

export function buildEvidenceDocument({ request, tasks, chain, issuer, now, hashKey, evidenceId, supersedes }: EvidenceInputs): EvidencePayload {
  const final = request.completed_at !== null;
  const issuedAt = request.completed_at ?? now;
  const byState: StateCounts = {};
  for (const t of tasks) byState[t.state] = (byState[t.state] ?? 0) + 1;
  const discoveries = tasks
    .filter((t) => isDiscoveryTaskType(t.type))
    .sort((a, b) => a.seq - b.seq)
    .map((t): EvidenceDiscovery => ({
      taskId: t.id,
      type: t.type,
      connection: t.connection,
      state: t.state,
      identities: (t.locator.identities as JsonObject | undefined) ?? null,
      searched: discoveryResult(t.upstream_ref),
      tasksAdded: tasks.filter((f) => f.discovered_by === t.id).length,
    }));
  return {
    schema: EVIDENCE_SCHEMA,
    iss: issuer,
    sub: request.id,
    ...(evidenceId === undefined ? {} : { jti: evidenceId }),
    supersedes,
    iat: Math.floor(issuedAt.getTime() / 1000),
    issuedAt: issuedAt.toISOString(),
    final,
    request: {
      id: request.id,
      externalRef: request.external_ref,
      regulation: request.regulation,
      status: request.status,
      createdAt: request.created_at.toISOString(),
      dueAt: request.due_at.toISOString(),
      completedAt: iso(request.completed_at),
      cancelledAt: iso(request.cancelled_at),
      cancelledBy: request.cancelled_by,
      subjectHashes: request.subject_hashes,
      ...(request.extension === null ? {} : { extension: request.extension }),
    },
    summary: { tasks: tasks.length, byState },
    ...(discoveries.length > 0 ? { discovery: discoveries } : {}),
    tasks: [...tasks]
      .sort((a, b) => a.seq - b.seq)
      .map((t) => ({
        id: t.id,
        seq: t.seq,
        type: t.type,
        connection: t.connection,
        locator: hashPersonLocators(t.type, t.locator, hashKey),
        state: t.state,
        attempts: t.attempts,
        firstSentAt: iso(t.first_sent_at),
        finishedAt: iso(t.finished_at),
        upstream: trailReference(t.upstream_ref),
        ...(t.state === 'failed' ? { error: trailError(t.last_error) } : {}),
        ...jobFacts(t.upstream_ref),
        ...(t.resolution === null ? {} : { resolution: evidenceResolution(t.resolution) }),
      })),
    chain,
  };
}
