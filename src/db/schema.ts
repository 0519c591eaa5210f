// One typed DB interface built from per-table types. Column names are the database's (snake_case);
// services map rows to API shapes.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ConnectionCheckResult } from '../domain/connection-check.ts';
import type { RequestExtension, TaskResolution } from '../domain/erasure-request.ts';
import type { JsonObject } from '../domain/json.ts';
import type { Regulation, RequestStatus, TaskState, TaskType } from '../domain/types.ts';

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, T, T>;

export type ErasureRequestTable = {
  id: string;
  external_ref: string | null;
  regulation: Regulation;
  /** Raw subject identities: personal data, purged after the request is final. */
  subject: Json<JsonObject | null>;
  /** Keyed hashes (HMAC-SHA256) of each identity, kept for evidence. */
  subject_hashes: Json<JsonObject | null>;
  callback_url: string | null;
  status: RequestStatus;
  /** The tenant of the API key that submitted it (domain/caller.ts): who may see and change it. */
  tenant: string;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  due_at: Timestamp;
  completed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  cancelled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  cancelled_by: ColumnType<string | null, string | null | undefined, string | null>;
  subject_purged_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  task_count: number;
  /** Seq of the last event of the request's chain (0: none), advanced by the database as events are appended. */
  chain_seq: ColumnType<number, number | undefined, never>;
  /** Hash of that event (64 zeros: none). */
  chain_head: ColumnType<string, string | undefined, never>;
  /** When the request's personal data was purged (subject, callback URL, person-level locators, upstream text). */
  personal_data_purged_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** The deadline's one extension (POST …/extend); null when not extended. */
  extension: ColumnType<RequestExtension | null, RequestExtension | null | undefined, RequestExtension | null>;
};

export type TaskTable = {
  id: string;
  request_id: string;
  seq: number;
  type: TaskType;
  target_index: number | null;
  connection: string | null;
  locator: Json<JsonObject>;
  state: TaskState;
  /** Where a multi-step task is (e.g. recordings: check → delete → confirm). */
  phase: string;
  /** The state a running task came from, restored when its lease expires. */
  claimed_from: TaskState | null;
  attempts: number;
  next_attempt_at: Timestamp;
  lease_owner: string | null;
  lease_expires_at: Date | null;
  upstream_ref: Json<JsonObject | null>;
  last_error: Json<JsonObject | null>;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** First time anything was sent upstream for this task: from then on it cannot be cancelled. */
  first_sent_at: Date | null;
  finished_at: Date | null;
  /** When an operator last re-drove this task (retry): its age limit counts from then. */
  redriven_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** Tasks a discovery added: unique per request (e.g. `koreai.recording:<sessionId>`); null for submitted tasks. */
  locator_key: ColumnType<string | null, string | null | undefined, string | null>;
  /** The discovery task that found this one; null for submitted tasks. */
  discovered_by: ColumnType<string | null, string | null | undefined, string | null>;
  /** How an operator closed it (skipped, or resolved by hand: domain/erasure-request.ts); null otherwise. */
  resolution: ColumnType<TaskResolution | null, TaskResolution | null | undefined, TaskResolution | null>;
  /** When the watchdog found the open task past its expected wait (domain/watchdog.ts); null otherwise, cleared when it finishes or is reopened. */
  stalled_since: ColumnType<Date | null, Date | null | undefined, Date | null>;
};

export type RequestEventTable = {
  request_id: string;
  seq: number;
  at: Timestamp;
  actor: string;
  type: string;
  task_id: string | null;
  data: Json<JsonObject>;
  prev_hash: string;
  hash: string;
};

/** Evidence signed when a request became final, served byte for byte ever after. Append-only. */
export type RequestEvidenceTable = {
  /** The evidence's `jti`. */
  id: string;
  request_id: string;
  /** The finality it attests (the request's completed_at then). */
  completed_at: Timestamp;
  issued_at: Timestamp;
  kid: string;
  jws: string;
  /** The evidence of an earlier finality this one replaces (the request was re-driven). */
  supersedes: string | null;
};

/** A signed checkpoint over every request's chain head. Append-only. */
export type AuditCheckpointTable = {
  id: number;
  created_at: Timestamp;
  tree_size: number;
  root_hash: string;
  kid: string;
  jws: string;
};

/** A request's chain head as first seen by a checkpoint; checkpoint K's leaves are the latest rows <= K. Append-only. */
export type AuditCheckpointHeadTable = {
  request_id: string;
  checkpoint_id: number;
  seq: number;
  hash: string;
};

export type IdempotencyKeyTable = {
  /** Keys are scoped per tenant: (tenant, key) is the primary key. */
  tenant: string;
  /** The API key that used it first. */
  api_key_name: string;
  key: string;
  body_hash: string;
  request_id: string;
  response_status: number;
  response_body: Json<JsonObject>;
  created_at: Timestamp;
};

/** One upstream call a worker was allowed to make (worker pacing: domain/pacing.ts). */
export type PacingPermitTable = {
  id: Generated<number>;
  connection: string;
  task_id: string | null;
  holder: string;
  started_at: Timestamp;
  finished_at: Date | null;
  expires_at: Timestamp;
};

/** A connection whose claims are paused until a time (the upstream answered "rate limited"). */
export type ConnectionPacingTable = {
  connection: string;
  paused_until: Timestamp;
  reason: string;
  updated_at: Timestamp;
};

/** A console sign-in (migrations/20261201T150000_console_sessions.ts): the token's hash, never the token. */
export type ConsoleSessionTable = {
  token_hash: string;
  key_name: string;
  /** The configured SHA-256 of the API key signed in with: the session ends when the key is replaced. */
  key_sha256: string;
  scopes: string[];
  created_at: Timestamp;
  expires_at: Timestamp;
};

/** The last check of a connection (domain/connection-check.ts): one row per connection name. */
export type ConnectionCheckTable = {
  connection: string;
  type: string;
  result: ConnectionCheckResult;
  http_status: number | null;
  code: string | null;
  latency_ms: number | null;
  checked_at: Timestamp;
  checked_by: string;
};

/** The per-key write limit's state (domain/write-rate.ts); an UNLOGGED table. */
export type ApiKeyRateTable = {
  api_key_name: string;
  /** GCRA theoretical arrival time. */
  tat: Timestamp;
  /** Writes the last statement granted (0: refused). */
  granted: number;
  updated_at: Timestamp;
};

export type DB = {
  erasure_request: ErasureRequestTable;
  task: TaskTable;
  request_event: RequestEventTable;
  idempotency_key: IdempotencyKeyTable;
  pacing_permit: PacingPermitTable;
  connection_pacing: ConnectionPacingTable;
  console_session: ConsoleSessionTable;
  connection_check: ConnectionCheckTable;
  request_evidence: RequestEvidenceTable;
  audit_checkpoint: AuditCheckpointTable;
  audit_checkpoint_head: AuditCheckpointHeadTable;
  api_key_rate: ApiKeyRateTable;
};

export type ErasureRequestRow = Selectable<ErasureRequestTable>;
export type NewErasureRequest = Insertable<ErasureRequestTable>;
export type TaskRow = Selectable<TaskTable>;
export type NewTask = Insertable<TaskTable>;
export type TaskUpdate = Updateable<TaskTable>;
export type RequestEventRow = Selectable<RequestEventTable>;
export type ConsoleSessionRow = Selectable<ConsoleSessionTable>;
