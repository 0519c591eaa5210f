// Demo requests for the sandbox, so the console's overview has something to show on a fresh machine: one
// that completes, one still in progress for a while, one that fails, one overdue. Made through the normal
// submit service (as if the sandbox's key had sent them), only when the database has no request yet, and
// never touching the ids the README's example erases.
//
// Two are dated back (the submit runs on a clock set earlier): a request received 15 days ago whose call
// never ends fails at its first recheck, past worker.maxTaskAgeHours (14 days); one received 40 days ago
// is past its GDPR deadline and fails the same way — a failed request stays overdue (it is still owed).
// The one in progress also waits for the call that never ends: the sandbox's watchdog expects a call to
// end within 3 minutes (sandbox.ts), so a few minutes after start that task is `stalled` (the engine's
// own bound, activeCallMaxWaitHours, is a day) and the request is listed by ?stalled=true.
import { anyRequestExists } from './db/requests.ts';
import type { Caller } from './domain/caller.ts';
import type { ErasureRequestInput } from './domain/erasure-request.ts';
import { SANDBOX_CARTESIA_CONNECTION, SANDBOX_KOREAI_CONNECTION, type Sandbox } from './sandbox.ts';
import { submitErasureRequest, type SubmitDeps } from './services/submit-request.ts';

const DAY_MS = 86_400_000;

/**
 * Calls the demo adds to the Cartesia simulator, none of them the README subject's: one ended (erased at
 * once), one still live for ten minutes, one that never ends (stalled, in the request in progress); and an id no call has (not found).
 */
export const DEMO_LIVE_CALLS = {
  ended: 'ac_sandbox_done_0001',
  endsInTenMinutes: 'ac_sandbox_live_0001',
  neverEnds: 'ac_sandbox_live_0002',
  unknown: 'ac_sandbox_unknown_0001',
} as const;

/** A Kore.ai session the demo adds (of a user no example names), with no recording: a `not_found`. */
export const DEMO_SESSION = { sessionId: '6627b9adb9af28711b78d001', userId: 'sandbox.demo.requests' } as const;
export const DEMO_LIVE_CALL_MS = 10 * 60_000;

export type DemoRequest = { externalRef: string; daysAgo: number; input: Omit<ErasureRequestInput, 'externalRef'> };

export function demoRequests(now: Date): DemoRequest[] {
  const calls = (callIds: string[]) => ({ type: 'cartesia.calls' as const, connection: SANDBOX_CARTESIA_CONNECTION, callIds });
  return [
    {
      externalRef: 'SANDBOX-COMPLETED',
      daysAgo: 0,
      input: {
        regulation: 'gdpr',
        targets: [
          calls([DEMO_LIVE_CALLS.ended, DEMO_LIVE_CALLS.unknown]),
          { type: 'koreai.recordings', connection: SANDBOX_KOREAI_CONNECTION, sessionIds: [DEMO_SESSION.sessionId] },
        ],
      },
    },
    {
      externalRef: 'SANDBOX-IN-PROGRESS',
      daysAgo: 0,
      input: { regulation: 'ccpa', targets: [calls([DEMO_LIVE_CALLS.endsInTenMinutes, DEMO_LIVE_CALLS.neverEnds])] },
    },
    {
      externalRef: 'SANDBOX-FAILED',
      daysAgo: 15,
      input: { regulation: 'gdpr', dueAt: new Date(now.getTime() + 5 * DAY_MS).toISOString(), targets: [calls([DEMO_LIVE_CALLS.neverEnds])] },
    },
    {
      externalRef: 'SANDBOX-OVERDUE',
      daysAgo: 40,
      input: { regulation: 'gdpr', targets: [calls([DEMO_LIVE_CALLS.neverEnds])] },
    },
  ];
}

/** Creates the demo requests when there is no request yet; returns their ids (none when there were requests). */
export async function seedSandboxDemo(deps: SubmitDeps, sandbox: Pick<Sandbox, 'simulators'>): Promise<string[]> {
  if (await anyRequestExists(deps.database.db)) return [];
  const base = { agent_id: sandbox.simulators.demo.cartesia.agentId, agent_name: 'Customer support', status: 'started' as const };
  sandbox.simulators.cartesia.simulator.control.seedCalls([
    { ...base, id: DEMO_LIVE_CALLS.ended, status: 'completed' },
    { ...base, id: DEMO_LIVE_CALLS.endsInTenMinutes, endsAt: { afterMs: DEMO_LIVE_CALL_MS }, endReason: 'client_hangup' },
    { ...base, id: DEMO_LIVE_CALLS.neverEnds },
  ]);
  const now = deps.clock.now();
  sandbox.simulators.koreai.simulator.control.seedSessions(sandbox.simulators.demo.koreai.botId, [
    { ...DEMO_SESSION, startTime: new Date(now.getTime() - DAY_MS).toISOString() },
  ]);
  // As if the sandbox's key had sent them: its tenant owns them.
  const key = deps.config.file.apiKeys.find((k) => k.name === 'sandbox') ?? deps.config.file.apiKeys[0]!;
  const caller: Caller = { name: key.name, tenant: key.tenant, allTenants: key.allTenants, scopes: key.scopes };
  const ids: string[] = [];
  for (const demo of demoRequests(now)) {
    const at = new Date(now.getTime() - demo.daysAgo * DAY_MS);
    const outcome = await submitErasureRequest(
      { ...deps, clock: { now: () => at } },
      { input: { ...demo.input, externalRef: demo.externalRef }, caller },
    );
    ids.push(outcome.requestId);
  }
  return ids;
}
