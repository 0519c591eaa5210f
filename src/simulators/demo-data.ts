import type { CartesiaSimulator } from './cartesia/simulator.ts';
import type { KoreaiSimulator } from './koreai/simulator.ts';

const DAY_MS = 86_400_000;

/**
 * The sandbox's demo subject and the ids a README request can erase. Everything else seeded here belongs to
 * other people and must survive the erasure.
 */
export const DEMO_IDS = {
  koreai: {
    botId: 'st-7d1c4f5e-0d3a-4b8e-9a61-5a4db0c0de01',
    clientId: 'cs-0b6f2d8e-3c41-5a7f-8e92-1d4c6b0de001',
    /** Conversations of the demo subject, to erase by id. */
    conversationIds: ['69eb0c87ec44444597600a01', '69eb0b5c7cd98618e0600a02', '69eb0b5c7cd98618e0600a03'],
    /** The demo subject as a channel user: three conversations over the last three days. */
    cId: 'u-e64325ed-82dc-5dd4-88dd-54ac52e0de01',
    userId: 'demo.subject@example.com',
    sessionIds: {
      /** Has a recording (`success`): delete, then v2 says `media_unavailable`. */
      withRecording: '6627b9adb9af28711b780a01',
      /** `call_in_progress`, `media_in_progress` after ~4 s, `success` after ~8 s: retry later, then delete. */
      inProgress: '6627b9adb9af28711b780a02',
      /** No recording at all (`media_unavailable`): nothing to delete. */
      mediaUnavailable: '6627b9adb9af28711b780a03',
    },
    /** Someone else's data, which no demo erasure may touch. */
    bystanderConversationIds: ['69eb0c87ec44444597600b01', '69eb0c87ec44444597600b02'],
  },
  cartesia: {
    agentId: 'agent_demo_support',
    callIds: {
      /** Ended: DELETE answers 200 with `redacted_at`. */
      completed: 'ac_demo_completed_0001',
      /** Ended in failure: also deletable. */
      failed: 'ac_demo_failed_0003',
      /** `started`, ends by itself ~5 s after start: DELETE answers 400 until then (or cancel it first). */
      endsSoon: 'ac_demo_started_0002',
      /** Never seeded: DELETE answers 404 (`not_found` for the gateway). */
      unknown: 'ac_demo_unknown_9999',
    },
    bystanderCallIds: ['ac_demo_bystander_0004'],
  },
} as const;

export const DEMO_SESSION_TIMINGS = { mediaInProgressAfterMs: 4000, successAfterMs: 8000 } as const;
export const DEMO_CALL_ENDS_AFTER_MS = 5000;

export function seedKoreaiDemo(simulator: KoreaiSimulator, nowMs: number): void {
  const ids = DEMO_IDS.koreai;
  const day = (daysAgo: number) => new Date(nowMs - daysAgo * DAY_MS).toISOString();
  simulator.control.seedConversations(ids.botId, [
    ...ids.conversationIds.map((id, i) => ({ id, date: day(10 + i), messageCount: 12 + i })),
    { id: '69eb0c87ec44444597600c01', cId: ids.cId, date: day(3), messageCount: 30 },
    { id: '69eb0c87ec44444597600c02', cId: ids.cId, date: day(2), messageCount: 41 },
    { id: '69eb0c87ec44444597600c03', cId: ids.cId, date: day(1), messageCount: 18 },
    ...ids.bystanderConversationIds.map((id) => ({ id, cId: 'u-bystander-0000-0000-0000-000000000001', date: day(2), messageCount: 9 })),
  ]);
  simulator.control.seedSessions(ids.botId, [
    { sessionId: ids.sessionIds.withRecording, userId: ids.userId, startTime: day(2), recording: { status: 'success' } },
    {
      sessionId: ids.sessionIds.inProgress,
      userId: ids.userId,
      startTime: new Date(nowMs - 60_000).toISOString(),
      recording: {
        status: 'call_in_progress',
        transitions: [
          { afterMs: DEMO_SESSION_TIMINGS.mediaInProgressAfterMs, status: 'media_in_progress' },
          { afterMs: DEMO_SESSION_TIMINGS.successAfterMs, status: 'success' },
        ],
      },
    },
    { sessionId: ids.sessionIds.mediaUnavailable, userId: ids.userId, startTime: day(1) },
    { sessionId: '6627b9adb9af28711b780b01', userId: 'bystander@example.com', startTime: day(1), recording: { status: 'success' } },
  ]);
}

export function seedCartesiaDemo(simulator: CartesiaSimulator): void {
  const { agentId, callIds, bystanderCallIds } = DEMO_IDS.cartesia;
  const base = { agent_id: agentId, agent_name: 'Customer support' };
  simulator.control.seedCalls([
    { ...base, id: callIds.completed, status: 'completed', metadata: { customer_email: 'demo.subject@example.com' } },
    { ...base, id: callIds.failed, status: 'failed', metadata: { customer_email: 'demo.subject@example.com' } },
    {
      ...base,
      id: callIds.endsSoon,
      status: 'started',
      metadata: { customer_email: 'demo.subject@example.com' },
      endsAt: { afterMs: DEMO_CALL_ENDS_AFTER_MS },
      endReason: 'client_hangup',
    },
    ...bystanderCallIds.map((id) => ({ ...base, id, status: 'completed' as const, metadata: { customer_email: 'bystander@example.com' } })),
  ]);
}
