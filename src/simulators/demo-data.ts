import type { CartesiaSimulator } from './cartesia/simulator.ts';
import type { KoreaiSimulator } from './koreai/simulator.ts';

const DAY_MS = 86_400_000;

/**
 * The sandbox's demo subject and the ids a README request can erase. Everything else seeded here belongs to
 * other people and must survive the erasure. Besides these fixed ids, the subject has a history to discover
 * from their identity: Kore.ai sessions of `koreai.userId` over the last ~90 days, and Cartesia calls from or
 * to `cartesia.phone` on both agents (the seed functions answer their ids).
 */
export const DEMO_IDS = {
  koreai: {
    botId: 'st-7d1c4f5e-0d3a-4b8e-9a61-5a4db0c0de01',
    clientId: 'cs-0b6f2d8e-3c41-5a7f-8e92-1d4c6b0de001',
    /** Conversations of the demo subject, to erase by id. */
    conversationIds: ['69eb0c87ec44444597600a01', '69eb0b5c7cd98618e0600a02', '69eb0b5c7cd98618e0600a03'],
    /** The demo subject as a channel user: three conversations over the last three days. */
    cId: 'u-e64325ed-82dc-5dd4-88dd-54ac52e0de01',
    /** The demo subject as a Kore.ai user: getSessions finds their sessions over the last ~90 days. */
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
    /** Other users with sessions on the bot; one differs from the subject only by domain. */
    bystanderUserIds: ['bystander@example.com', 'demo.subject@example.org', 'EMP-204511', 'jane.roe@example.com'],
  },
  cartesia: {
    agentId: 'agent_demo_support',
    /** The two agents with calls; the subject has calls on both. */
    agentIds: ['agent_demo_support', 'agent_demo_billing'],
    /** The demo subject's phone number (E.164), in `from` or `to` of their calls, written variously. */
    phone: '+14155550123',
    callIds: {
      /** Ended: DELETE answers 200 with `redacted_at`. */
      completed: 'ac_demo_completed_0001',
      /** Ended in failure: also deletable. */
      failed: 'ac_demo_failed_0003',
      /** `started`, ends by itself ~5 s after start: DELETE answers 400 until then (or cancel it first). */
      endsSoon: 'ac_demo_started_0002',
      /** Never seeded: DELETE answers 404 (`not_found` for the gateway). */
      unknown: 'ac_demo_unknown_9999',
      /** Ended, on the second agent, the subject's number written `+1 415 555 0123` in `to` (an outbound call). */
      onSecondAgent: 'ac_demo_billing_0005',
    },
    bystanderCallIds: ['ac_demo_bystander_0004'],
  },
} as const;

export const DEMO_SESSION_TIMINGS = { mediaInProgressAfterMs: 4000, successAfterMs: 8000 } as const;
export const DEMO_CALL_ENDS_AFTER_MS = 5000;
/** Days of Kore.ai session history of the demo subject. */
export const DEMO_HISTORY_DAYS = 90;
/** Cartesia calls the sandbox seeds unless told otherwise (the fixed ones included). */
export const DEMO_CALLS_DEFAULT = 60;

export type KoreaiDemoOptions = {
  /** History sessions of the subject besides the three fixed ones (default 12). */
  subjectSessions?: number;
  /** Sessions of each bystander user (default 10). */
  bystanderSessionsPerUser?: number;
};

/** Who owns what in the seeded Kore.ai demo data. */
export type KoreaiDemoData = {
  subject: {
    userId: string;
    /** Every session of the subject (fixed and history), oldest first. */
    sessionIds: string[];
    /** Those with a recording to delete (`success` when seeded; the in-progress one becomes so ~8 s later). */
    withRecording: string[];
    /** The conversations made with those sessions (same ids), besides `DEMO_IDS.koreai.conversationIds` and the cId's. */
    sessionConversationIds: string[];
  };
  bystanders: { userId: string; sessionIds: string[] }[];
};

export function seedKoreaiDemo(simulator: KoreaiSimulator, nowMs: number, options: KoreaiDemoOptions = {}): KoreaiDemoData {
  const ids = DEMO_IDS.koreai;
  const control = simulator.control;
  const day = (daysAgo: number) => new Date(nowMs - daysAgo * DAY_MS).toISOString();
  control.seedConversations(ids.botId, [
    ...ids.conversationIds.map((id, i) => ({ id, date: day(10 + i), messageCount: 12 + i })),
    { id: '69eb0c87ec44444597600c01', cId: ids.cId, date: day(3), messageCount: 30 },
    { id: '69eb0c87ec44444597600c02', cId: ids.cId, date: day(2), messageCount: 41 },
    { id: '69eb0c87ec44444597600c03', cId: ids.cId, date: day(1), messageCount: 18 },
    ...ids.bystanderConversationIds.map((id) => ({ id, cId: 'u-bystander-0000-0000-0000-000000000001', date: day(2), messageCount: 9 })),
  ]);
  // The subject's history first, so their fixed sessions below are the newest.
  control.generateSessions(ids.botId, {
    seed: 4155550123,
    userIds: [ids.userId],
    cIds: [null],
    days: DEMO_HISTORY_DAYS - 3,
    until: day(3),
    sessionsPerUser: { min: options.subjectSessions ?? 12, max: options.subjectSessions ?? 12 },
    voiceShare: 0.75,
    unavailableShare: 0.2,
    inProgress: 0,
  });
  control.seedSessions(ids.botId, [
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
  const perUser = options.bystanderSessionsPerUser ?? 10;
  const bystanders = control.generateSessions(ids.botId, {
    seed: 2045,
    userIds: [...ids.bystanderUserIds],
    days: DEMO_HISTORY_DAYS + 30,
    sessionsPerUser: { min: perUser, max: perUser },
    inProgress: 0,
  });

  const state = control.botState(ids.botId);
  const sessionsOf = (userId: string) =>
    state.sessions.filter((session) => session.userId === userId).sort((a, b) => Date.parse(a.startTime) - Date.parse(b.startTime));
  const subjectSessions = sessionsOf(ids.userId);
  return {
    subject: {
      userId: ids.userId,
      sessionIds: subjectSessions.map((session) => session.sessionId),
      withRecording: subjectSessions.filter((session) => session.recordingStatus === 'success').map((session) => session.sessionId),
      sessionConversationIds: subjectSessions.map((session) => session.conversationId).filter((id): id is string => id !== null),
    },
    bystanders: bystanders.users.map((user) => ({ userId: user.userId, sessionIds: sessionsOf(user.userId).map((session) => session.sessionId) })),
  };
}

export type CartesiaDemoOptions = {
  /** Calls in all, the fixed ones included (default `DEMO_CALLS_DEFAULT`, 60); at least the 5 fixed ones are seeded. */
  calls?: number;
};

/** Who owns what in the seeded Cartesia demo data. */
export type CartesiaDemoData = {
  subject: { phone: string; callIds: string[]; byAgent: Record<string, string[]> };
  bystanderCallIds: string[];
  total: number;
};

const FIXED_CALLS = 5;

export function seedCartesiaDemo(simulator: CartesiaSimulator, options: CartesiaDemoOptions = {}): CartesiaDemoData {
  const { agentId, agentIds, phone, callIds, bystanderCallIds } = DEMO_IDS.cartesia;
  const support = { agent_id: agentId, agent_name: 'Customer support' };
  const inbound = (from: string) => ({ from, to: '+18005550100', call_sid: `CA${from.replace(/\D/g, '')}demo`, direction: 'inbound', connection_type: 'phone' });
  const subjectMetadata = { customer_email: 'demo.subject@example.com' };
  // The history first, so the fixed calls are the newest.
  const history = simulator.control.generateCalls({
    seed: 4155550123,
    calls: Math.max(0, (options.calls ?? DEMO_CALLS_DEFAULT) - FIXED_CALLS),
    agents: [...agentIds],
    phones: [phone],
    personShare: 0.15,
    days: DEMO_HISTORY_DAYS,
  });
  simulator.control.seedCalls([
    { ...support, id: callIds.completed, status: 'completed', metadata: subjectMetadata, telephony_params: inbound(phone) },
    { ...support, id: callIds.failed, status: 'failed', metadata: subjectMetadata, telephony_params: inbound(phone) },
    {
      ...support,
      id: callIds.endsSoon,
      status: 'started',
      metadata: subjectMetadata,
      telephony_params: inbound(phone),
      endsAt: { afterMs: DEMO_CALL_ENDS_AFTER_MS },
      endReason: 'client_hangup',
    },
    {
      agent_id: 'agent_demo_billing',
      agent_name: 'Billing',
      id: callIds.onSecondAgent,
      status: 'completed',
      metadata: subjectMetadata,
      telephony_params: { from: '+18005550101', to: '+1 415 555 0123', call_sid: 'CAdemobilling0005', direction: 'outbound', connection_type: 'phone' },
    },
    ...bystanderCallIds.map((id) => ({
      ...support,
      id,
      status: 'completed' as const,
      metadata: { customer_email: 'bystander@example.com' },
      telephony_params: inbound('+14155550124'),
    })),
  ]);
  const generated = history.phones[0];
  const byAgent: Record<string, string[]> = {
    agent_demo_support: [callIds.completed, callIds.failed, callIds.endsSoon, ...(generated?.byAgent.agent_demo_support ?? [])],
    agent_demo_billing: [callIds.onSecondAgent, ...(generated?.byAgent.agent_demo_billing ?? [])],
  };
  return {
    subject: { phone, callIds: [...(byAgent.agent_demo_support ?? []), ...(byAgent.agent_demo_billing ?? [])], byAgent },
    bystanderCallIds: [...bystanderCallIds, ...history.bystanderCallIds],
    total: history.phones.reduce((n, p) => n + p.callIds.length, 0) + history.bystanderCallIds.length + FIXED_CALLS,
  };
}
