import type { Clock } from '../clock.ts';
import { controlError } from '../control-routes.ts';
import type { FaultCounts, FaultInjector, FaultPlan } from '../faults.ts';
import type { RequestLog, RequestLogEntry, RouteCounts } from '../request-log.ts';
import type { Traffic } from '../traffic.ts';
import { agentCallJson, callRecordFromSeed, settleCall, type CallRecord, type CallSeed } from './calls.ts';
import { generateCalls, type CartesiaGenerated, type CartesiaGenerateOptions } from './generate.ts';
import { patchCartesiaSettings, type CartesiaSettings, type CartesiaSettingsPatch } from './settings.ts';

export type CartesiaDeletions = { calls: { callId: string; at: string }[] };

export type CartesiaReport = {
  requests: RouteCounts;
  faultsInjected: FaultCounts;
  deleted: CartesiaDeletions;
  cancelled: { callId: string; at: string }[];
  /** Cancels answered `{"cancelled":false}` (`cancelAnswer: 'false'`); those calls went on. */
  cancelNotHonoured: { callId: string; at: string }[];
  /** DELETEs answered 200 that deleted nothing (`deleteAnswer: 'no-redacted-at'`). */
  deleteNotApplied: { callId: string; at: string }[];
  /** Every 429 answered, whether from the concurrency limit or an injected fault. */
  tooManyRequests: number;
  concurrencyLimited: number;
  /** Requests answered by the simulated proxy (setting `proxy`) instead of the API. */
  proxyAnswered: number;
  maxConcurrency: number;
  inFlight: number;
};

/** Programmatic control of the Cartesia simulator; `/_sim/…` exposes the same operations over HTTP. */
export type CartesiaControl = {
  reset(): void;
  faults(): FaultPlan;
  setFaults(plan: FaultPlan): void;
  settings(): CartesiaSettings;
  updateSettings(patch: CartesiaSettingsPatch): CartesiaSettings;
  /** Seeds calls in any state (also ones that start or end later); answers their ids. */
  seedCalls(calls: CallSeed[]): string[];
  /** Months of made-up calls across agents, some from/to the tracked numbers; answers who owns which call. */
  generateCalls(options?: CartesiaGenerateOptions): CartesiaGenerated;
  /** Makes agents known without calls (matters with `unknownAgent: '404'`). */
  seedAgents(agentIds: string[]): string[];
  /** Known agents: those of seeded calls and those added by `seedAgents`. */
  agents(): string[];
  /** A call as the API would show it, with its transcript. */
  call(callId: string): Record<string, unknown>;
  calls(): { id: string; agent_id: string; status: string; redacted_at: string | null }[];
  requests(): { counts: RouteCounts; log: RequestLogEntry[] };
  deleted(): CartesiaDeletions;
  report(): CartesiaReport;
};

export type CartesiaCore = {
  clock: Clock;
  calls: Map<string, CallRecord>;
  agents: Set<string>;
  deleted: { callId: string; at: string }[];
  cancelled: { callId: string; at: string }[];
  cancelNotHonoured: { callId: string; at: string }[];
  deleteNotApplied: { callId: string; at: string }[];
  counters: { tooManyRequests: number; concurrencyLimited: number; proxyAnswered: number };
  faults: FaultInjector;
  log: RequestLog;
  traffic: Traffic;
  settings: CartesiaSettings;
  restoreInitial(): void;
};

export function createCartesiaControl(core: CartesiaCore): CartesiaControl {
  let seq = 0;
  const settled = (record: CallRecord) => {
    settleCall(record, core.clock.now());
    return record;
  };
  const show = (record: CallRecord) =>
    agentCallJson(settled(record), { includeTranscript: true, redactedFields: core.settings.redactedFields });
  const deleted = (): CartesiaDeletions => ({ calls: structuredClone(core.deleted) });

  const control: CartesiaControl = {
    reset: () => core.restoreInitial(),
    faults: () => core.faults.plan(),
    setFaults: (plan) => core.faults.setPlan(plan),
    settings: () => core.settings,
    updateSettings(patch) {
      core.settings = patchCartesiaSettings(core.settings, patch);
      return core.settings;
    },
    seedCalls(seeds) {
      if (!Array.isArray(seeds)) throw controlError(400, 'expected a list of calls');
      const records = seeds.map((seed) => callRecordFromSeed(seed, ++seq, core.clock.now()));
      for (const record of records) {
        core.calls.set(record.call.id, record);
        core.agents.add(record.call.agent_id);
      }
      return records.map((record) => record.call.id);
    },
    generateCalls(options = {}) {
      const { seeds, manifest } = generateCalls(options, core.clock.now());
      control.seedCalls(seeds);
      control.seedAgents(manifest.agents);
      return manifest;
    },
    seedAgents(agentIds) {
      if (!Array.isArray(agentIds) || !agentIds.every((id) => typeof id === 'string' && id !== '')) {
        throw controlError(400, 'expected a list of agent ids');
      }
      for (const id of agentIds) core.agents.add(id);
      return [...core.agents];
    },
    agents: () => [...core.agents],
    call(callId) {
      const record = core.calls.get(callId);
      if (record === undefined) throw controlError(404, `unknown call ${callId}`);
      return show(record);
    },
    calls: () =>
      [...core.calls.values()].map((record) => {
        const json = show(record);
        return { id: record.call.id, agent_id: record.call.agent_id, status: record.call.status, redacted_at: json.redacted_at as string | null };
      }),
    requests: () => ({ counts: core.log.counts(), log: core.log.entries() }),
    deleted,
    report: () => ({
      requests: core.log.counts(),
      faultsInjected: core.faults.injected(),
      deleted: deleted(),
      cancelled: structuredClone(core.cancelled),
      cancelNotHonoured: structuredClone(core.cancelNotHonoured),
      deleteNotApplied: structuredClone(core.deleteNotApplied),
      ...core.counters,
      maxConcurrency: core.traffic.maxInFlight(),
      inFlight: core.traffic.inFlight(),
    }),
  };
  return control;
}
