import type { Clock } from '../clock.ts';
import { controlError } from '../control-routes.ts';
import type { FaultCounts, FaultInjector, FaultPlan } from '../faults.ts';
import type { RequestLog, RequestLogEntry, RouteCounts } from '../request-log.ts';
import type { Traffic } from '../traffic.ts';
import { agentCallJson, callRecordFromSeed, settleCall, type CallRecord, type CallSeed } from './calls.ts';
import { patchCartesiaSettings, type CartesiaSettings, type CartesiaSettingsPatch } from './settings.ts';

export type CartesiaDeletions = { calls: { callId: string; at: string }[] };

export type CartesiaReport = {
  requests: RouteCounts;
  faultsInjected: FaultCounts;
  deleted: CartesiaDeletions;
  cancelled: { callId: string; at: string }[];
  /** Every 429 answered, whether from the concurrency limit or an injected fault. */
  tooManyRequests: number;
  concurrencyLimited: number;
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
  deleted: { callId: string; at: string }[];
  cancelled: { callId: string; at: string }[];
  counters: { tooManyRequests: number; concurrencyLimited: number };
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

  return {
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
      for (const record of records) core.calls.set(record.call.id, record);
      return records.map((record) => record.call.id);
    },
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
      ...core.counters,
      maxConcurrency: core.traffic.maxInFlight(),
      inFlight: core.traffic.inFlight(),
    }),
  };
}
