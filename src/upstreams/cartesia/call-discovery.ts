// The walk of a `cartesia.discovery` task through its agents' calls, one call per execution: each
// agent's calls newest first, page after page (`starting_after` = the previous `next_page`), until a call
// started before `since` or there is no next page. Cartesia cannot filter by number, so every call in
// range is read and matched here: `telephony_params.from` or `.to` (the docs and the usual convention
// disagree on which is the caller) against the phones in E.164, or every metadata key given. An agent
// whose first page is empty is looked up (GET /agents/{agent_id}): an empty list cannot tell an agent
// without calls from an id Cartesia does not know. Pure: the durable cursor in, the next one out.
import { foundCall, type CartesiaDiscoveryLocator, type FoundTask } from '../../domain/discovery.ts';
import type { JsonObject } from '../../domain/json.ts';
import type { Outcome } from '../../domain/outcome.ts';
import { readVendorNumber } from '../../domain/phone-number.ts';
import type { CallsPage, ListedCall } from './calls-page.ts';

export const CALLS_PAGE_SIZE = 100;

export type AgentProgress = {
  agentId: string;
  pages: number;
  callsSeen: number;
  callsMatched: number;
  /** How the agent was known to exist: it listed calls, or the lookup found it. */
  existence: 'listed' | 'lookup' | null;
  /** Why its listing ended: a call before `since`, or the last page. */
  ended: 'since' | 'last_page' | null;
};

export type CartesiaDiscoveryState = {
  kind: 'cartesia.calls';
  identities: CartesiaDiscoveryLocator['identities'];
  since: string;
  until: string;
  /** The agent being read, the cursor in its list, and whether the next call is its lookup. */
  agent: number;
  startingAfter: string | null;
  lookup: boolean;
  agents: AgentProgress[];
  pages: number;
  lookups: number;
  callsSeen: number;
  callsMatched: number;
  matchedByPhone: number;
  matchedByMetadata: number;
  /** Numbers in calls in range that could not be read as E.164 (e.g. written without a country code). */
  unreadableNumbers: number;
  found: { calls: number };
  done: boolean;
};

export function initialCartesiaState(locator: CartesiaDiscoveryLocator): CartesiaDiscoveryState {
  return {
    kind: 'cartesia.calls',
    identities: locator.identities,
    since: locator.since,
    until: locator.until,
    agent: 0,
    startingAfter: null,
    lookup: false,
    agents: locator.agentIds.map((agentId) => ({ agentId, pages: 0, callsSeen: 0, callsMatched: 0, existence: null, ended: null })),
    pages: 0,
    lookups: 0,
    callsSeen: 0,
    callsMatched: 0,
    matchedByPhone: 0,
    matchedByMetadata: 0,
    unreadableNumbers: 0,
    found: { calls: 0 },
    done: false,
  };
}

export function readCartesiaState(upstreamRef: JsonObject | null): CartesiaDiscoveryState | null {
  const d = upstreamRef?.discovery as Partial<CartesiaDiscoveryState> | undefined;
  if (d === undefined || d === null || d.kind !== 'cartesia.calls') return null;
  const ok = typeof d.agent === 'number' && Array.isArray(d.agents) && typeof d.lookup === 'boolean' && (typeof d.startingAfter === 'string' || d.startingAfter === null);
  return ok ? (d as CartesiaDiscoveryState) : null;
}

export type CallMatch = { by: 'phone' | 'metadata' | null; unreadable: number };

/** Whether a call is the person's: a number in `from` or `to`, or every metadata key given. */
export function matchCall(call: ListedCall, phones: ReadonlySet<string>, metadata: Readonly<Record<string, unknown>> | undefined): CallMatch {
  let unreadable = 0;
  let byPhone = false;
  for (const raw of [call.from, call.to]) {
    const n = readVendorNumber(raw);
    if (n.kind === 'unreadable') unreadable += 1;
    else if (n.kind === 'e164' && phones.has(n.value)) byPhone = true;
  }
  if (byPhone) return { by: 'phone', unreadable };
  if (metadata !== undefined && Object.keys(metadata).length > 0 && call.metadata !== null) {
    const all = Object.entries(metadata).every(([k, v]) => {
      const got = call.metadata?.[k];
      // Scalars compare as text: a customer id stored as 123 is the one asked for as "123".
      return (typeof got === 'string' || typeof got === 'number' || typeof got === 'boolean') && String(got) === String(v);
    });
    if (all) return { by: 'metadata', unreadable };
  }
  return { by: null, unreadable };
}

export type CartesiaStep = { state: CartesiaDiscoveryState; found: FoundTask[]; outcome: Outcome };

function next(state: CartesiaDiscoveryState, found: FoundTask[]): CartesiaStep {
  if (state.agent < state.agents.length) {
    return { state, found, outcome: { kind: 'continue', phase: state.lookup ? 'agent' : 'calls', upstreamRef: { discovery: state }, addTasks: found, freshAttempts: true } };
  }
  state.done = true;
  const ref = { discovery: summary(state) };
  return { state, found, outcome: state.found.calls > 0 ? { kind: 'succeeded', upstreamRef: ref, addTasks: found } : { kind: 'not_found', upstreamRef: ref } };
}

function nextAgent(state: CartesiaDiscoveryState): void {
  state.agent += 1;
  state.startingAfter = null;
  state.lookup = false;
}

/** One recognised page of the current agent's calls. */
export function cartesiaListStep(locator: CartesiaDiscoveryLocator, before: CartesiaDiscoveryState, page: CallsPage): CartesiaStep {
  const state: CartesiaDiscoveryState = structuredClone(before);
  const agent = state.agents[state.agent]!;
  const since = Date.parse(state.since);
  const phones = new Set(locator.phones ?? []);
  const found: FoundTask[] = [];
  const firstPage = agent.pages === 0;
  agent.pages += 1;
  state.pages += 1;
  let reachedSince = false;
  for (const call of page.calls) {
    state.callsSeen += 1;
    agent.callsSeen += 1;
    // Newest first: the first call that started before `since` ends this agent's search.
    if (call.startMs !== null && call.startMs < since) {
      reachedSince = true;
      break;
    }
    const match = matchCall(call, phones, locator.metadata);
    state.unreadableNumbers += match.unreadable;
    if (match.by === null) continue;
    state.callsMatched += 1;
    agent.callsMatched += 1;
    if (match.by === 'phone') state.matchedByPhone += 1;
    else state.matchedByMetadata += 1;
    found.push(foundCall(call.id));
    state.found.calls += 1;
  }
  if (!reachedSince && page.nextPage !== null) {
    state.startingAfter = page.nextPage;
    return next(state, found);
  }
  agent.ended = reachedSince ? 'since' : 'last_page';
  if (firstPage && page.calls.length === 0) {
    state.lookup = true; // does the agent exist at all?
    return next(state, found);
  }
  agent.existence = 'listed';
  nextAgent(state);
  return next(state, found);
}

/** The current agent's lookup found it: an agent with no calls; on to the next. */
export function cartesiaAgentExistsStep(before: CartesiaDiscoveryState): CartesiaStep {
  const state: CartesiaDiscoveryState = structuredClone(before);
  state.lookups += 1;
  state.agents[state.agent]!.existence = 'lookup';
  nextAgent(state);
  return next(state, []);
}

/** What was searched and counted, for the reference, the trail and the evidence: no cursor. */
export function summary(state: CartesiaDiscoveryState): JsonObject {
  const { startingAfter: _s, lookup: _l, agent: _a, ...rest } = state;
  return rest;
}
