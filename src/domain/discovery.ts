// Discovery: finding a person's data at a vendor from their identity, as a task like any other. A
// discovery task's locator says what is searched (the identifiers, the range); its cursor — where it is
// and what it has counted — lives in its upstream reference, so a crashed worker resumes page by page; and
// every page's settlement adds the erasure tasks found on it to the same request, once each (FoundTask.key).
//
// The identifiers searched for (user ids, channel user ids, phone numbers, metadata values) are personal
// data: they stay in the locator only until the subject purge, and everything shown back — the tasks
// view, the trail, the evidence — carries their keyed hashes (`identities`) instead.
import { createHash } from 'node:crypto';
import type { JsonObject } from './json.ts';
import type { TaskType } from './types.ts';

/** A connection's discovery settings for Kore.ai (config `connections[].discovery`). */
export type KoreaiDiscoverySettings = {
  /** Range searched when a target gives no `from`: this many days before `to`. */
  lookbackDays: number;
  /** getSessions is asked for windows of at most this many days (Kore.ai refuses more than 7). */
  windowDays: number;
  /** A longer range is refused at submit. */
  maxRangeDays: number;
  /** In Kore.ai a conversation is a session: erase the conversations with the sessions' ids. */
  conversationsFromSessions: boolean;
};

/** A connection's discovery settings for Cartesia. */
export type CartesiaDiscoverySettings = {
  /** Agents searched when a target names none. */
  agentIds: string[];
  lookbackDays: number;
  maxRangeDays: number;
};

/** What a `koreai.discovery` task searches (its locator). `userId` and `cId` are purged with the subject. */
export type KoreaiDiscoveryLocator = {
  userId?: string;
  cId?: string;
  /** ISO instants, both inclusive. */
  from: string;
  to: string;
  windowDays: number;
  conversationsFromSessions: boolean;
  identities: { userId: string; cId?: string };
};

/** What a `cartesia.discovery` task searches. `phones` and `metadata` are purged with the subject. */
export type CartesiaDiscoveryLocator = {
  agentIds: string[];
  /** E.164. */
  phones?: string[];
  metadata?: Record<string, string | number | boolean>;
  /** Calls that started at or after `since`; the search began at `until`. */
  since: string;
  until: string;
  identities: { phones?: string[]; metadata?: Record<string, string> };
};

/** The locator fields of each discovery type that are person-level (never shown, purged with the subject). */
export const DISCOVERY_PERSONAL_FIELDS = {
  'koreai.discovery': ['userId', 'cId'],
  'cartesia.discovery': ['phones', 'metadata'],
} as const satisfies Partial<Record<TaskType, readonly string[]>>;

/** A locator as the API, the trail and the evidence show it: a discovery's identifiers only as keyed hashes. */
export function publicLocator(type: TaskType, locator: JsonObject): JsonObject {
  const personal: readonly string[] | undefined = DISCOVERY_PERSONAL_FIELDS[type as keyof typeof DISCOVERY_PERSONAL_FIELDS];
  if (personal === undefined) return locator;
  return Object.fromEntries(Object.entries(locator).filter(([k]) => !personal.includes(k)));
}

/** An erasure task a discovery found, to be added to the request unless it holds one with the same key. */
export type FoundTask = {
  type: Extract<TaskType, 'koreai.recording' | 'koreai.conversations' | 'koreai.channel_user' | 'cartesia.call'>;
  locator: JsonObject;
  /** Unique per request: a page settled twice, or found by two discoveries, never adds a task twice. */
  key: string;
};

export function foundRecording(sessionId: string): FoundTask {
  return { type: 'koreai.recording', locator: { sessionId }, key: `koreai.recording:${sessionId}` };
}

export function foundCall(callId: string): FoundTask {
  return { type: 'cartesia.call', locator: { callId }, key: `cartesia.call:${callId}` };
}

/** A conversation-deletion job: its key is the hash of its ids, in any order. */
export function foundConversationJob(conversationIds: readonly string[]): FoundTask {
  const sorted = [...new Set(conversationIds)].sort();
  const digest = createHash('sha256').update(sorted.join('\n')).digest('hex');
  return { type: 'koreai.conversations', locator: { conversationIds: [...conversationIds] }, key: `koreai.conversations:${digest}` };
}

/**
 * The channel-user job of one discovery: keyed by the discovery task (never by the cId, which is
 * personal data and would outlive the purge in the key).
 */
export function foundChannelUserJob(discoveryTaskId: string, cId: string, startDate: string, endDate: string): FoundTask {
  return { type: 'koreai.channel_user', locator: { cId, startDate, endDate }, key: `koreai.channel_user:discovery:${discoveryTaskId}` };
}

/** Kore.ai's channel user ids look like `u-…`: a user id of that form is also the cId. */
export function isKoreaiChannelUserId(value: string): boolean {
  return /^u-[A-Za-z0-9-]{4,}$/.test(value);
}

export const DAY_MS = 86_400_000;

/** The getSessions windows that cover [from, to]: each at most `windowDays`, the last ending at `to`. */
export function windowCount(fromMs: number, toMs: number, windowDays: number): number {
  const width = windowDays * DAY_MS;
  return Math.max(1, Math.ceil((toMs - fromMs) / width));
}

/**
 * Window `index` of [from, to]. Adjacent windows share their boundary instant (dateTo of one is dateFrom of
 * the next): whether Kore.ai reads dateTo as inclusive or exclusive, no instant falls between two windows.
 * A session starting exactly on the boundary may then be listed twice; discovery skips the repeat.
 */
export function sessionWindow(fromMs: number, toMs: number, windowDays: number, index: number): { from: number; to: number } {
  const width = windowDays * DAY_MS;
  const from = fromMs + index * width;
  return { from, to: Math.min(from + width, toMs) };
}

/** Fields of a discovery cursor that say where it is, not what it searched (left out of the evidence). */
const CURSOR_FIELDS = ['window', 'skip', 'atWindowEnd', 'fromPreviousWindow', 'pendingConversationIds', 'agent', 'startingAfter', 'lookup'];

/**
 * What a discovery searched and counted, from its upstream reference: the range (and windows or agents),
 * pages, seen and matched, the identifiers as keyed hashes. Null when it has not read a page yet.
 */
export function discoveryResult(upstreamRef: JsonObject | null): JsonObject | null {
  const d = upstreamRef?.discovery;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) return null;
  return Object.fromEntries(Object.entries(d as JsonObject).filter(([k]) => !CURSOR_FIELDS.includes(k)));
}
