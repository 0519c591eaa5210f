// What an upstream's answer may carry into the audit trail and the evidence, both kept for ever. Upstreams
// answer with free text (error messages, "deleted successfully" notes) that may echo whatever identifier
// they were sent — a phone number, an e-mail address used as a channel user id. So the trail holds only
// what is on this list, each field checked for its kind: ids, enums, counts, timestamps, HTTP statuses and
// vendor error codes. The free text stays on the task row (`upstream_ref`, `last_error.message`), where
// operators read it while the request is open, and the purge removes it with the rest of the personal data.
// A reference field an executor adds later is left out of the trail until it is listed here.
import type { JsonObject } from './json.ts';

export type TrailFieldKind = 'id' | 'ids' | 'enum' | 'code' | 'timestamp' | 'status' | 'count' | 'counts' | 'host' | 'wait' | 'jobs' | 'lostSubmits';

/** Every upstream-reference field the trail and the evidence may hold, with its kind. */
export const TRAIL_REFERENCE_FIELDS: Readonly<Record<string, TrailFieldKind>> = {
  // Kore.ai conversation-deletion jobs
  jobId: 'id',
  jobStatus: 'enum',
  requestType: 'enum',
  submittedAt: 'timestamp',
  scheduledAt: 'timestamp',
  startedAt: 'timestamp',
  completedAt: 'timestamp',
  result: 'counts',
  /** Every job id the task received (domain/upstream-jobs.ts), and each job's status, counts and end. */
  jobIds: 'ids',
  jobs: 'jobs',
  /** Submits whose answer was lost: when, why (a token), the HTTP status if any. */
  lostSubmits: 'lostSubmits',
  // Kore.ai recordings
  recordingStatus: 'enum',
  deleteStatus: 'status',
  checkedAt: 'timestamp',
  deletedAt: 'timestamp',
  confirmedAt: 'timestamp',
  confirmChecks: 'count',
  /** A bounded wait for the vendor (domain/bounded-wait.ts): since when, and how many checks. */
  wait: 'wait',
  // Cartesia calls
  requestId: 'id',
  redactedAt: 'timestamp',
  callStatus: 'enum',
  cancelledAt: 'timestamp',
  httpStatus: 'status',
  errorCode: 'code',
  activeCallWait: 'wait',
  cancelRefusedAt: 'timestamp',
  // Callback deliveries (the receiver's host, never the URL)
  event: 'enum',
  host: 'host',
  statusCode: 'status',
  latencyMs: 'count',
  deliveredAt: 'timestamp',
};

/** One vendor job of a task (`jobs[]`), as upstreams/koreai/job-ledger.ts records it. */
const JOB_FIELDS: Readonly<Record<string, TrailFieldKind>> = {
  jobId: 'id',
  submittedAt: 'timestamp',
  status: 'enum',
  scheduledAt: 'timestamp',
  completedAt: 'timestamp',
  result: 'counts',
  end: 'enum',
};

/** One lost submit answer (`lostSubmits[]`, domain/upstream-jobs.ts). */
const LOST_SUBMIT_FIELDS: Readonly<Record<string, TrailFieldKind>> = { at: 'timestamp', reason: 'code', status: 'status' };

/** The fields of an error summary the trail may hold; `message` never. */
const TRAIL_ERROR_FIELDS: Readonly<Record<string, TrailFieldKind>> = {
  kind: 'enum',
  status: 'status',
  code: 'code',
  requestId: 'id',
  /** Ours: why a task gave up (`max_attempts`) or waits (`call_not_terminal`). */
  gaveUp: 'code',
  reason: 'code',
};

const ID = /^[A-Za-z0-9._:~-]{1,128}$/;
const TOKEN = /^[A-Za-z0-9._:-]{1,64}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const HOST = /^(?:[A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?$/;

/** The value if it is of the kind, else undefined (left out). Null passes: "the upstream said nothing". */
function checked(kind: TrailFieldKind, value: unknown): unknown {
  if (value === null) return null;
  switch (kind) {
    case 'id':
      return typeof value === 'string' && ID.test(value) ? value : undefined;
    case 'enum':
    case 'code':
      return typeof value === 'string' && TOKEN.test(value) ? value : undefined;
    case 'timestamp':
      return typeof value === 'string' && TIMESTAMP.test(value) ? value : undefined;
    case 'host':
      return typeof value === 'string' && HOST.test(value) ? value : undefined;
    case 'status':
      return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599 ? value : undefined;
    case 'count':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
    case 'ids':
      return Array.isArray(value) ? value.filter((v) => typeof v === 'string' && ID.test(v)) : undefined;
    case 'wait': {
      if (!isObject(value)) return undefined;
      const since = checked('timestamp', value.since);
      const checks = checked('count', value.checks);
      return since === undefined || checks === undefined ? undefined : { since, checks };
    }
    case 'jobs':
      return Array.isArray(value) ? value.filter(isObject).map((j) => pick(j, JOB_FIELDS)) : undefined;
    case 'lostSubmits':
      return Array.isArray(value) ? value.filter(isObject).map((l) => pick(l, LOST_SUBMIT_FIELDS)) : undefined;
    case 'counts': {
      if (!isObject(value)) return undefined;
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) if (TOKEN.test(k) && typeof v === 'number' && Number.isFinite(v)) out[k] = v;
      return out;
    }
  }
}

function pick(source: JsonObject, fields: Readonly<Record<string, TrailFieldKind>>): JsonObject {
  const out: JsonObject = {};
  for (const [key, kind] of Object.entries(fields)) {
    if (!(key in source)) continue;
    const v = checked(kind, source[key]);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An upstream reference as the trail and the evidence may hold it; null stays null. */
export function trailReference(ref: JsonObject | null | undefined): JsonObject | null {
  if (ref === null || ref === undefined) return null;
  return pick(ref, TRAIL_REFERENCE_FIELDS);
}

/** An error summary (`last_error`) without its free text: kind, status, code (and ours: gaveUp, reason). */
export function trailError(error: JsonObject | null | undefined): JsonObject | null {
  if (!isObject(error)) return null;
  const out = pick(error, TRAIL_ERROR_FIELDS);
  // The error a task ended on may wrap the one before (max_task_age keeps the last upstream error).
  if (isObject(error.last)) out.last = trailError(error.last);
  return out;
}

/** The `{kind, status, code}` of an error as events show it (null where the error has none). */
export function trailErrorCodes(error: JsonObject | null | undefined): JsonObject | null {
  const e = trailError(error);
  return e === null ? null : { kind: e.kind ?? null, status: e.status ?? null, code: e.code ?? null };
}

/** A machine token (a transport error code, a vendor code), or null when it is free text. */
export function trailToken(value: string | null | undefined): string | null {
  return typeof value === 'string' && TOKEN.test(value) ? value : null;
}
