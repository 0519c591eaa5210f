import { z } from 'zod';
import { iso } from '../clock.ts';
import { namedStream } from '../prng.ts';
import type { CallSeed } from './calls.ts';

const DAY_MS = 86_400_000;
const timestamp = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'expected an ISO timestamp');
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/, 'expected an E.164 number, e.g. +14155550123');

export const PHONE_FORMATS = ['e164', 'spaced', 'dashed', 'national', 'tel', 'sip'] as const;
export type PhoneFormat = (typeof PHONE_FORMATS)[number];

/** Options of `generateCalls` / `POST /_sim/generate`. */
export const cartesiaGenerateSchema = z
  .object({
    /** The same seed (and options) gives the same ids, times and numbers. */
    seed: z.number().int().default(1),
    /** Calls in all (tracked people's and bystanders'). */
    calls: z.number().int().min(0).max(100_000).default(250),
    /** Agent ids; the calls are spread over them. */
    agents: z.array(z.string().min(1)).min(1).default(['agent_support', 'agent_billing']),
    /** The people whose calls are tracked (E.164); each gets a share of `personShare` of the calls. */
    phones: z.array(e164).default(['+14155550123', '+14155550188', '+442079460321']),
    personShare: z.number().min(0).max(1).default(0.3),
    days: z.number().positive().max(3650).default(120),
    /** End of the period; default: the simulator's clock. */
    until: timestamp.optional(),
    /**
     * How a tracked person's number is written in `from`/`to`, chosen per call: `e164` `+14155550123`,
     * `spaced` `+1 415 555 0123`, `dashed` `+1-415-555-0123`, `national` `(415) 555-0123`,
     * `tel` `tel:+14155550123`, `sip` `sip:+14155550123@sip.example.com`. E.164 is always among them.
     */
    formats: z.array(z.enum(PHONE_FORMATS)).min(1).default(['e164', 'spaced', 'dashed']),
    /** Bystander calls from numbers one digit away from a tracked one (a naive match must not take them). */
    lookalikes: z.boolean().default(true),
    /** Share of bystander calls over websocket (no phone numbers at all). */
    websocketShare: z.number().min(0).max(1).default(0.1),
    failedShare: z.number().min(0).max(1).default(0.08),
    /** Calls of tracked people still going on (`started`, ending 60 s after generation). */
    started: z.number().int().min(0).default(0),
  })
  .strict();

export type CartesiaGenerateOptions = z.input<typeof cartesiaGenerateSchema>;

export type CartesiaGenerated = {
  from: string;
  until: string;
  agents: string[];
  /** Per tracked number (E.164 as given): its calls, newest first, overall and per agent. */
  phones: { phone: string; callIds: string[]; byAgent: Record<string, string[]> }[];
  bystanderCallIds: string[];
  /** Tracked people's calls still `started`. */
  startedCallIds: string[];
};

const digitsOf = (phone: string) => phone.replace(/\D/g, '');

/** Writes an E.164 number in one of the ways telephony providers do. */
export function formatPhone(phone: string, format: PhoneFormat): string {
  const digits = digitsOf(phone);
  const nanp = digits.length === 11 && digits.startsWith('1');
  const [cc, rest] = nanp ? ['1', digits.slice(1)] : [digits.slice(0, 2), digits.slice(2)];
  const groups = nanp ? [rest.slice(0, 3), rest.slice(3, 6), rest.slice(6)] : (rest.match(/.{1,4}/g) ?? [rest]);
  switch (format) {
    case 'e164':
      return `+${digits}`;
    case 'spaced':
      return `+${cc} ${groups.join(' ')}`;
    case 'dashed':
      return `+${cc}-${groups.join('-')}`;
    case 'national':
      return nanp ? `(${groups[0]}) ${groups[1]}-${groups[2]}` : `0${groups.join(' ')}`;
    case 'tel':
      return `tel:+${digits}`;
    case 'sip':
      return `sip:+${digits}@sip.example.com`;
  }
}

/**
 * Months of calls across agents, some from or to the tracked numbers (written variously, in `from` for
 * inbound and `to` for outbound calls), the rest bystanders'. Answers which call ids belong to whom.
 */
export function generateCalls(input: CartesiaGenerateOptions, nowMs: number): { seeds: CallSeed[]; manifest: CartesiaGenerated } {
  const options = cartesiaGenerateSchema.parse(input);
  const draw = namedStream(options.seed, 'cartesia.generate');
  const pick = <T>(list: readonly T[]): T => list[Math.floor(draw() * list.length)] as T;
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(draw() * 16).toString(16)).join('');
  const until = options.until === undefined ? nowMs : Date.parse(options.until);
  const from = until - options.days * DAY_MS;
  const formats = options.formats.includes('e164') ? options.formats : ['e164' as const, ...options.formats];
  const agentNumber = new Map(options.agents.map((agent, i) => [agent, `+1800555${String(100 + i).padStart(4, '0')}`]));
  const tracked = new Set(options.phones.map(digitsOf));
  const lookalike = (phone: string) => {
    const digits = digitsOf(phone);
    const last = Number(digits.at(-1));
    for (let attempt = 0; attempt < 10; attempt++) {
      const near = `+${digits.slice(0, -1)}${(last + 1 + Math.floor(draw() * 9)) % 10}`;
      if (!tracked.has(digitsOf(near))) return near;
    }
    return bystanderNumber();
  };
  const bystanderNumber = () => {
    let phone: string;
    do {
      phone =
        draw() < 0.8
          ? `+1${2 + Math.floor(draw() * 8)}${String(Math.floor(draw() * 100)).padStart(2, '0')}555${String(Math.floor(draw() * 10_000)).padStart(4, '0')}`
          : `+4915${String(Math.floor(draw() * 1e9)).padStart(9, '0')}`;
    } while (tracked.has(digitsOf(phone)));
    return phone;
  };

  const manifest: CartesiaGenerated = {
    from: iso(from),
    until: iso(until),
    agents: [...options.agents],
    phones: options.phones.map((phone) => ({ phone, callIds: [], byAgent: Object.fromEntries(options.agents.map((a) => [a, []])) })),
    bystanderCallIds: [],
    startedCallIds: [],
  };
  const seeds: CallSeed[] = [];
  const usedIds = new Set<string>();
  let startedLeft = options.started;

  for (let i = 0; i < options.calls; i++) {
    let id: string;
    do id = `ac_${hex(20)}`;
    while (usedIds.has(id));
    usedIds.add(id);
    const agent = pick(options.agents);
    const ownerIndex = options.phones.length > 0 && draw() < options.personShare ? Math.floor(draw() * options.phones.length) : -1;
    const owner = ownerIndex >= 0 ? options.phones[ownerIndex] : undefined;
    const start = from + Math.floor(draw() * (until - from));
    const durationMs = (1 + Math.floor(draw() * 15)) * 60_000 + Math.floor(draw() * 60_000);
    const inbound = draw() < 0.65;
    const ours = agentNumber.get(agent) ?? '+18005550100';
    const sid = `CA${hex(32)}`;

    let telephony: Record<string, unknown>;
    if (owner !== undefined) {
      const theirs = formatPhone(owner, pick(formats));
      telephony = { from: inbound ? theirs : ours, to: inbound ? ours : theirs, call_sid: sid, direction: inbound ? 'inbound' : 'outbound', connection_type: 'phone' };
    } else if (draw() < options.websocketShare) {
      telephony = { call_sid: sid, connection_type: 'websocket' };
    } else {
      const theirs = options.lookalikes && options.phones.length > 0 && draw() < 0.15 ? lookalike(pick(options.phones)) : bystanderNumber();
      telephony = { from: inbound ? theirs : ours, to: inbound ? ours : theirs, call_sid: sid, direction: inbound ? 'inbound' : 'outbound', connection_type: 'phone' };
    }

    const ongoing = owner !== undefined && startedLeft > 0;
    const failed = !ongoing && draw() < options.failedShare;
    const metadata = { ticket: `T-${10_000 + Math.floor(draw() * 90_000)}`, channel: 'voice' };
    if (ongoing) {
      startedLeft--;
      seeds.push({
        id,
        agent_id: agent,
        agent_name: agent,
        status: 'started',
        start_time: iso(nowMs - 120_000),
        telephony_params: telephony,
        metadata,
        endsAt: { afterMs: 60_000 },
        endReason: 'client_hangup',
      });
    } else {
      seeds.push({
        id,
        agent_id: agent,
        agent_name: agent,
        status: failed ? 'failed' : 'completed',
        start_time: iso(start),
        end_time: iso(start + durationMs),
        end_reason: failed ? 'error' : pick(['agent_hangup', 'client_hangup', 'client_hangup', 'inactivity']),
        telephony_params: telephony,
        metadata,
      });
    }
    if (owner !== undefined) {
      const entry = manifest.phones[ownerIndex];
      entry?.callIds.push(id);
      entry?.byAgent[agent]?.push(id);
      if (ongoing) manifest.startedCallIds.push(id);
    } else {
      manifest.bystanderCallIds.push(id);
    }
  }
  // Newest first, as the API lists them.
  const startOf = new Map(seeds.map((seed) => [seed.id, Date.parse(seed.start_time ?? '')]));
  const newestFirst = (ids: string[]) => ids.sort((a, b) => (startOf.get(b) ?? 0) - (startOf.get(a) ?? 0));
  for (const phone of manifest.phones) {
    newestFirst(phone.callIds);
    for (const ids of Object.values(phone.byAgent)) newestFirst(ids);
  }
  newestFirst(manifest.bystanderCallIds);
  return { seeds, manifest };
}
