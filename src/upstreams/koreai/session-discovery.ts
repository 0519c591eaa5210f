// The walk of a `koreai.discovery` task through getSessions, one page per execution: windows of at most
// `windowDays` from `from` to `to`, each paged with skip until `moreAvailable` is false. Pure: given the
// durable cursor (upstream_ref.discovery) and a recognised page, the next cursor and the tasks found.
//
// What a page finds: a `koreai.recording` task per session of the user; with conversationsFromSessions,
// their ids gathered into conversation-deletion jobs of 100 — formed only when a window is fully read (a
// job deleting conversations while its window is still paged could, where Kore.ai then hides the deleted
// sessions, shift the skip offsets and skip sessions) and the rest at the end; with a cId, one
// channel-user job over the whole range, at the end for the same reason.
import {
  DAY_MS,
  foundChannelUserJob,
  foundConversationJob,
  foundRecording,
  sessionWindow,
  windowCount,
  type FoundTask,
  type KoreaiDiscoveryLocator,
} from '../../domain/discovery.ts';
import type { JsonObject } from '../../domain/json.ts';
import type { Outcome } from '../../domain/outcome.ts';
import { KOREAI_MAX_CONVERSATION_IDS_PER_JOB } from '../../domain/types.ts';
import type { SessionsPage } from './sessions-page.ts';

export const SESSIONS_PAGE_SIZE = 100;
/** A window that needs more pages than this is an answer that never ends, not a busy user. */
const MAX_PAGES_PER_WINDOW = 1000;

/** The cursor and the counts, kept in `upstream_ref.discovery` (JSON; record ids and counts, no identifiers). */
export type KoreaiDiscoveryState = {
  kind: 'koreai.sessions';
  identities: KoreaiDiscoveryLocator['identities'];
  range: { from: string; to: string };
  windowDays: number;
  windows: number;
  /** The window being read (0-based), and the next page's skip in it. */
  window: number;
  skip: number;
  pages: number;
  windowsSearched: number;
  widestWindowMs: number;
  sessionsSeen: number;
  sessionsMatched: number;
  /** Sessions listed that belong to another user (Kore.ai should filter by userId): never erased. */
  sessionsOfOthers: number;
  /** Sessions on a window boundary, listed by both windows: counted once. */
  boundaryRepeats: number;
  found: { recordings: number; conversationJobs: number; channelUserJobs: number };
  /** Sessions of the window being read that start exactly at its end (the next window lists them again). */
  atWindowEnd: string[];
  /** Those of the previous window, skipped when this one lists them. */
  fromPreviousWindow: string[];
  /** Session ids found and not yet in a conversation job. */
  pendingConversationIds: string[];
  done: boolean;
};

export function initialKoreaiState(locator: KoreaiDiscoveryLocator): KoreaiDiscoveryState {
  const from = Date.parse(locator.from);
  const to = Date.parse(locator.to);
  return {
    kind: 'koreai.sessions',
    identities: locator.identities,
    range: { from: locator.from, to: locator.to },
    windowDays: locator.windowDays,
    windows: windowCount(from, to, locator.windowDays),
    window: 0,
    skip: 0,
    pages: 0,
    windowsSearched: 0,
    widestWindowMs: 0,
    sessionsSeen: 0,
    sessionsMatched: 0,
    sessionsOfOthers: 0,
    boundaryRepeats: 0,
    found: { recordings: 0, conversationJobs: 0, channelUserJobs: 0 },
    atWindowEnd: [],
    fromPreviousWindow: [],
    pendingConversationIds: [],
    done: false,
  };
}

/** The cursor stored by an earlier page, or null when there is none (or it is not one of ours). */
export function readKoreaiState(upstreamRef: JsonObject | null): KoreaiDiscoveryState | null {
  const d = upstreamRef?.discovery as Partial<KoreaiDiscoveryState> | undefined;
  if (d === undefined || d === null || d.kind !== 'koreai.sessions') return null;
  const ok =
    typeof d.window === 'number' && typeof d.skip === 'number' && typeof d.windows === 'number' && Array.isArray(d.pendingConversationIds) &&
    Array.isArray(d.atWindowEnd) && Array.isArray(d.fromPreviousWindow) && typeof d.found === 'object' && d.found !== null && d.range !== undefined;
  return ok ? (d as KoreaiDiscoveryState) : null;
}

/** The window the next page reads. */
export function currentWindow(state: KoreaiDiscoveryState): { from: number; to: number } {
  return sessionWindow(Date.parse(state.range.from), Date.parse(state.range.to), state.windowDays, state.window);
}

export type KoreaiStep = { state: KoreaiDiscoveryState; found: FoundTask[]; outcome: Outcome };

/** One recognised page read: the next cursor, what it found, and the task's outcome. */
export function koreaiDiscoveryStep(taskId: string, locator: KoreaiDiscoveryLocator, before: KoreaiDiscoveryState, page: SessionsPage): KoreaiStep {
  const state: KoreaiDiscoveryState = structuredClone(before);
  const window = currentWindow(state);
  const found: FoundTask[] = [];
  state.pages += 1;
  state.widestWindowMs = Math.max(state.widestWindowMs, window.to - window.from);
  const previous = new Set(state.fromPreviousWindow);
  const pending = new Set(state.pendingConversationIds);
  for (const s of page.sessions) {
    state.sessionsSeen += 1;
    // Kore.ai filters by userId; a session of anyone else is never taken for the subject's.
    if (s.userId !== locator.userId) {
      state.sessionsOfOthers += 1;
      continue;
    }
    if (previous.has(s.sessionId)) {
      state.boundaryRepeats += 1;
      continue;
    }
    if (s.startMs === window.to && !state.atWindowEnd.includes(s.sessionId)) state.atWindowEnd.push(s.sessionId);
    state.sessionsMatched += 1;
    found.push(foundRecording(s.sessionId));
    state.found.recordings += 1;
    if (locator.conversationsFromSessions && !pending.has(s.sessionId)) {
      pending.add(s.sessionId);
      state.pendingConversationIds.push(s.sessionId);
    }
  }
  state.skip += page.sessions.length;
  if (page.moreAvailable) {
    if (state.skip / Math.max(1, page.sessions.length) > MAX_PAGES_PER_WINDOW) {
      return { state, found, outcome: { kind: 'failed', error: { kind: 'answer', code: 'paging_runaway', message: `getSessions window still says moreAvailable after ${state.skip} sessions` }, upstreamRef: { discovery: summary(state) } } };
    }
    return { state, found, outcome: { kind: 'continue', phase: 'sessions', upstreamRef: { discovery: state }, addTasks: found, freshAttempts: true } };
  }

  // The window is read to its end.
  state.windowsSearched += 1;
  state.fromPreviousWindow = state.atWindowEnd;
  state.atWindowEnd = [];
  state.skip = 0;
  state.window += 1;
  while (state.pendingConversationIds.length >= KOREAI_MAX_CONVERSATION_IDS_PER_JOB) {
    found.push(foundConversationJob(state.pendingConversationIds.splice(0, KOREAI_MAX_CONVERSATION_IDS_PER_JOB)));
    state.found.conversationJobs += 1;
  }
  if (state.window < state.windows) return { state, found, outcome: { kind: 'continue', phase: 'sessions', upstreamRef: { discovery: state }, addTasks: found, freshAttempts: true } };

  // Every window read: the rest of the conversations, and the channel user's job over the whole range.
  if (state.pendingConversationIds.length > 0) {
    found.push(foundConversationJob(state.pendingConversationIds.splice(0)));
    state.found.conversationJobs += 1;
  }
  if (locator.cId !== undefined) {
    found.push(foundChannelUserJob(taskId, locator.cId, locator.from, locator.to));
    state.found.channelUserJobs += 1;
  }
  state.done = true;
  const ref = { discovery: summary(state) };
  const anything = state.found.recordings + state.found.conversationJobs + state.found.channelUserJobs > 0;
  return { state, found, outcome: anything ? { kind: 'succeeded', upstreamRef: ref, addTasks: found } : { kind: 'not_found', upstreamRef: ref } };
}

/** What the discovery searched and counted, for the task's reference, the trail and the evidence: no cursor lists. */
export function summary(state: KoreaiDiscoveryState): JsonObject {
  const { atWindowEnd: _a, fromPreviousWindow: _p, pendingConversationIds: _c, skip: _s, window: _w, ...rest } = state;
  return { ...rest, rangeDays: Math.round(((Date.parse(state.range.to) - Date.parse(state.range.from)) / DAY_MS) * 100) / 100 };
}
