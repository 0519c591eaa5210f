import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { iso, resolveTimeSpec } from '../clock.ts';

export const CALL_STATUSES = ['created', 'started', 'completed', 'failed'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
export const isTerminal = (status: CallStatus): boolean => status === 'completed' || status === 'failed';

/** The stored AgentCall, minus `redacted_at` (derived from the record). */
export type AgentCallData = {
  id: string;
  agent_id: string;
  agent_name: string;
  status: CallStatus;
  zdr_enabled: boolean;
  start_time: string | null;
  end_time: string | null;
  transcript: Record<string, unknown>[] | null;
  telephony_params: Record<string, unknown> | null;
  telephony_account_type: string | null;
  summary: string | null;
  error_message: string | null;
  end_reason: string | null;
  metadata: Record<string, unknown> | null;
  deployment_id: string | null;
  deployment_version_id: string | null;
  deployment_region: string | null;
};

export type CallRecord = {
  call: AgentCallData;
  /** Newest first in lists: by start (or seeding) time, then by seeding order. */
  sortKey: number;
  seq: number;
  startsAt: number | null;
  endsAt: number | null;
  endStatus: 'completed' | 'failed';
  endReason: string;
  redactedAt: number | null;
};

const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO timestamp');
const timeSpec = z.object({ at: timestamp.optional(), afterMs: z.number().int().min(0).optional() }).strict();
const jsonObject = z.record(z.string(), z.unknown());

export const callSeedSchema = z
  .object({
    id: z.string().min(1).optional(),
    agent_id: z.string().min(1).default('agent_demo'),
    agent_name: z.string().default('Customer support'),
    status: z.enum(CALL_STATUSES),
    zdr_enabled: z.boolean().default(false),
    start_time: timestamp.nullable().optional(),
    end_time: timestamp.nullable().optional(),
    transcript: z.array(jsonObject).nullable().optional(),
    telephony_params: jsonObject.nullable().optional(),
    telephony_account_type: z.string().nullable().optional(),
    summary: z.string().nullable().optional(),
    error_message: z.string().nullable().optional(),
    end_reason: z.string().nullable().optional(),
    metadata: jsonObject.nullable().optional(),
    deployment_id: z.string().nullable().optional(),
    deployment_version_id: z.string().nullable().optional(),
    deployment_region: z.string().nullable().optional(),
    /** Seed a call whose data was already deleted. */
    redacted_at: timestamp.nullable().optional(),
    /** A `created` call that starts later. */
    startsAt: timeSpec.optional(),
    /** A `started` call that ends later ("calls that end later"), with this status and reason. */
    endsAt: timeSpec.optional(),
    endStatus: z.enum(['completed', 'failed']).default('completed'),
    endReason: z.string().default('client_hangup'),
  })
  .strict();

export type CallSeed = z.input<typeof callSeedSchema>;

const TEN_MINUTES = 600_000;

/** Fills what a seed leaves out with plausible call data (a phone call with a short transcript). */
export function callRecordFromSeed(input: CallSeed, seq: number, nowMs: number): CallRecord {
  const seed = callSeedSchema.parse(input);
  const hasStarted = seed.status !== 'created';
  const ended = isTerminal(seed.status);
  const start = seed.start_time !== undefined ? seed.start_time : hasStarted ? iso(nowMs - TEN_MINUTES) : null;
  const end = seed.end_time !== undefined ? seed.end_time : ended && start !== null ? iso(Date.parse(start) + TEN_MINUTES / 2) : null;
  const pick = <T>(value: T | undefined, fallback: T): T => (value === undefined ? fallback : value);
  const call: AgentCallData = {
    id: seed.id ?? `ac_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
    agent_id: seed.agent_id,
    agent_name: seed.agent_name,
    status: seed.status,
    zdr_enabled: seed.zdr_enabled,
    start_time: start,
    end_time: end,
    transcript: pick(seed.transcript, [
      { role: 'assistant', text: 'Hello, how can I help you today?', start_timestamp: 0.4, end_timestamp: 2.1 },
      { role: 'user', text: 'I would like to update the address on my account.', start_timestamp: 2.9, end_timestamp: 5.6 },
    ]),
    telephony_params: pick(seed.telephony_params, {
      to: '+15555550123',
      from: '+15555550100',
      call_sid: `CA${randomUUID().replaceAll('-', '')}`,
      direction: 'inbound',
      connection_type: 'phone',
    }),
    telephony_account_type: pick(seed.telephony_account_type, 'cartesia'),
    summary: pick(seed.summary, ended ? 'The caller asked to update their postal address.' : null),
    error_message: pick(seed.error_message, seed.status === 'failed' ? 'The agent ended the call after an internal error.' : null),
    end_reason: pick(seed.end_reason, seed.status === 'completed' ? 'agent_hangup' : seed.status === 'failed' ? 'error' : null),
    metadata: pick(seed.metadata, {}),
    deployment_id: pick(seed.deployment_id, 'ad_demo'),
    deployment_version_id: pick(seed.deployment_version_id, 'av_demo'),
    deployment_region: pick(seed.deployment_region, 'US'),
  };
  return {
    call,
    sortKey: start === null ? nowMs : Date.parse(start),
    seq,
    startsAt: seed.startsAt === undefined ? null : resolveTimeSpec(seed.startsAt, nowMs),
    endsAt: seed.endsAt === undefined ? null : resolveTimeSpec(seed.endsAt, nowMs),
    endStatus: seed.endStatus,
    endReason: seed.endReason,
    redactedAt: seed.redacted_at === undefined || seed.redacted_at === null ? null : Date.parse(seed.redacted_at),
  };
}

/** Applies the planned start/end of a call once their time has come. */
export function settleCall(record: CallRecord, nowMs: number): void {
  const { call } = record;
  if (call.status === 'created' && record.startsAt !== null && record.startsAt <= nowMs) {
    call.status = 'started';
    call.start_time = iso(record.startsAt);
  }
  if (call.status === 'started' && record.endsAt !== null && record.endsAt <= nowMs) {
    call.status = record.endStatus;
    call.end_time = iso(record.endsAt);
    call.end_reason = record.endReason;
  }
}

/** Ends a started call with `api_cancelled`, now or after the configured delay. Deletes nothing. */
export function cancelCall(record: CallRecord, nowMs: number, delayMs: number): void {
  record.endsAt = Math.min(record.endsAt ?? Number.POSITIVE_INFINITY, nowMs + delayMs);
  record.endStatus = 'completed';
  record.endReason = 'api_cancelled';
  settleCall(record, nowMs);
}

const SENSITIVE_TELEPHONY = ['to', 'from', 'parameters', 'headers'];

/** Deletes transcript, summary, metadata, error message and the phone numbers; the record stays. */
export function redactCall(record: CallRecord, nowMs: number): void {
  const { call } = record;
  call.transcript = null;
  call.summary = null;
  call.metadata = null;
  call.error_message = null;
  if (call.telephony_params !== null) {
    call.telephony_params = Object.fromEntries(Object.entries(call.telephony_params).filter(([key]) => !SENSITIVE_TELEPHONY.includes(key)));
  }
  record.redactedAt = nowMs;
}

/** The AgentCall as the API shows it; deleted fields omitted or null as configured. */
export function agentCallJson(
  record: CallRecord,
  options: { includeTranscript: boolean; redactedFields: 'omit' | 'null' },
): Record<string, unknown> {
  const json: Record<string, unknown> = { ...record.call, redacted_at: record.redactedAt === null ? null : iso(record.redactedAt) };
  if (!options.includeTranscript) delete json.transcript;
  if (record.redactedAt === null) return json;
  for (const key of ['transcript', 'summary', 'metadata', 'error_message']) {
    if (!(key in json)) continue;
    if (options.redactedFields === 'omit') delete json[key];
    else json[key] = null;
  }
  if (options.redactedFields === 'null' && record.call.telephony_params !== null) {
    json.telephony_params = { ...record.call.telephony_params, to: null, from: null };
  }
  return json;
}
