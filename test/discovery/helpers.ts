// Discovery tests: simulators holding months of several people's data, the gateway's API and config
// pointing at them (Kore.ai paced below the simulator's limits), and what each person holds upstream.
import { systemClock } from '../../src/clock.ts';
import type { GatewayConfig } from '../../src/config.ts';
import type { CartesiaGenerated } from '../../src/simulators/cartesia/generate.ts';
import type { KoreaiGenerated } from '../../src/simulators/koreai/generate.ts';
import { createCartesiaSimulator, createKoreaiSimulator, type CartesiaSimulator, type KoreaiSimulator } from '../../src/simulators/index.ts';
import { BOT, CARTESIA_KEY, cartesiaTestConnection, koreTestConnection } from '../engine/helpers.ts';
import { parsedFaultConfig } from '../faults/helpers/fault-config.ts';
import { bearer, buildTestApp, KEYS, testConfigFile, type TestApp } from '../http/harness.ts';
import type { TestDatabase } from '../helpers/db.ts';

export const SUBJECT = { email: 'subject.person@example.com', phone: '+14155550123' };
export const AGENTS = ['agent_support', 'agent_billing'];
/** The simulator's Kore.ai limit per 10 s, and the gateway's pace under it (10 % kept in reserve). */
export const KORE_SIM_LIMIT = { max: 50, windowMs: 10_000 };
export const KORE_PACE = { max: 45, seconds: 10 };

export type World = {
  kore: KoreaiSimulator;
  cartesia: CartesiaSimulator;
  koreUrl: string;
  cartesiaUrl: string;
  /** Kore.ai: the subject first, then four other users, sessions over the last 90 days. */
  sessions: KoreaiGenerated;
  /** Cartesia: 260 calls over two agents; the subject's number first, two other people's after it. */
  calls: CartesiaGenerated;
  close(): Promise<void>;
};

export async function startWorld(options: { calls?: number } = {}): Promise<World> {
  const kore = createKoreaiSimulator({
    bots: [{ ...BOT, enforceJti: true }],
    rateLimits: { perMinute: KORE_SIM_LIMIT, perHour: { max: 100_000, windowMs: 3_600_000 } },
    settings: { jobDelayMs: 200 },
  });
  const cartesia = createCartesiaSimulator({ apiKey: CARTESIA_KEY, settings: { concurrencyLimit: 8 } });
  const sessions = kore.control.generateSessions(BOT.botId, {
    seed: 13,
    userIds: ['subject.person@example.com', 'subject.person@example.org', 'EMP-100200', 'jane.roe@example.com', 'bystander@example.com'],
    days: 90,
    sessionsPerUser: { min: 18, max: 26 },
    // Many sessions at UTC midnight: on the boundaries of 7-day windows.
    midnightShare: 0.25,
    inProgress: 0,
  });
  const calls = cartesia.control.generateCalls({
    seed: 13,
    calls: options.calls ?? 260,
    agents: AGENTS,
    phones: [SUBJECT.phone, '+14155550188', '+442079460321'],
    personShare: 0.3,
    days: 90,
    formats: ['e164', 'spaced', 'dashed', 'tel', 'sip'],
  });
  const koreUrl = await kore.listen();
  const cartesiaUrl = await cartesia.listen();
  return {
    kore,
    cartesia,
    koreUrl,
    cartesiaUrl,
    sessions,
    calls,
    async close() {
      await Promise.all([kore.close(), cartesia.close()]);
    },
  };
}

export function worldConfigFile(world: Pick<World, 'koreUrl' | 'cartesiaUrl'>, worker: Record<string, unknown> = {}, over: { kore?: Record<string, unknown>; cartesia?: Record<string, unknown> } = {}): Record<string, unknown> {
  return testConfigFile({
    connections: [
      koreTestConnection('kore', world.koreUrl, { limits: { windows: [KORE_PACE], concurrency: 4 }, requestTimeoutMs: 3000, discovery: { lookbackDays: 120 }, ...over.kore }),
      cartesiaTestConnection('cartesia', world.cartesiaUrl, { limits: { windows: [], concurrency: 6 }, requestTimeoutMs: 3000, discovery: { agentIds: AGENTS }, ...over.cartesia }),
    ],
    worker: { pollIntervalMs: 100, sweepIntervalMs: 250, leaseSeconds: 10, backoffBaseMs: 50, backoffCapMs: 400, shutdownGraceMs: 2000, ...worker },
  });
}

export function worldConfig(raw: Record<string, unknown>): GatewayConfig {
  return parsedFaultConfig(raw);
}

export async function worldApp(database: TestDatabase, config: GatewayConfig): Promise<TestApp> {
  return buildTestApp(database, { config, clock: systemClock });
}

/** The identity-only request: an e-mail, the Kore.ai user id and a phone number; nothing else. */
export function identityBody(userId: string = SUBJECT.email, kore: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    externalRef: 'DSAR-13',
    regulation: 'gdpr',
    subject: { email: SUBJECT.email, userId, phone: SUBJECT.phone },
    targets: [
      { type: 'koreai.user', connection: 'kore', ...kore },
      { type: 'cartesia.subject', connection: 'cartesia' },
    ],
  };
}

/** A date-only `from` this many days back: windows then start at UTC midnight, where many sessions start too. */
export function daysAgoDate(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

export async function submit(t: TestApp, body: Record<string, unknown>): Promise<string> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: { ...bearer(KEYS.writer), 'content-type': 'application/json' }, payload: JSON.stringify(body) });
  if (res.statusCode !== 202) throw new Error(`submit answered ${res.statusCode}: ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** Per Kore.ai user: sessions whose recording is still there, and conversations still held. */
export function koreHoldings(world: World): Record<string, { recordings: number; conversations: number }> {
  const state = world.kore.control.botState(BOT.botId);
  const out: Record<string, { recordings: number; conversations: number }> = {};
  for (const s of state.sessions) {
    const entry = (out[s.userId] ??= { recordings: 0, conversations: 0 });
    if (s.recordingStatus === 'success') entry.recordings += 1;
    if (s.conversationHeld) entry.conversations += 1;
  }
  return out;
}

/** Per tracked phone (and `others`): calls not yet redacted. */
export function cartesiaHoldings(world: World): Record<string, number> {
  const redacted = new Set(world.cartesia.control.calls().filter((c) => c.redacted_at !== null).map((c) => c.id));
  const out: Record<string, number> = {};
  for (const p of world.calls.phones) out[p.phone] = p.callIds.filter((id) => !redacted.has(id)).length;
  out.others = world.calls.bystanderCallIds.filter((id) => !redacted.has(id)).length;
  return out;
}
