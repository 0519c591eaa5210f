// Identity targets at submit: each resolves — from the target, the request's subject and the connection's
// discovery settings — to the locator of one discovery task, or to the reasons it cannot (a 400). Pure: the
// clock and the subject hash key are given.
import {
  DAY_MS,
  isKoreaiChannelUserId,
  type CartesiaDiscoveryLocator,
  type CartesiaDiscoverySettings,
  type KoreaiDiscoveryLocator,
  type KoreaiDiscoverySettings,
} from './discovery.ts';
import type { ProblemIssue } from './errors.ts';
import type { JsonObject } from './json.ts';
import { toE164 } from './phone-number.ts';
import { identityHash, normaliseIdentifier, type SubjectIdentities } from './subject.ts';
import { parseTargetDate, type CartesiaSubjectTarget, type KoreaiUserTarget, type Target } from './targets.ts';

export type DiscoveryConnection =
  | { name: string; type: 'koreai'; discovery: KoreaiDiscoverySettings }
  | { name: string; type: 'cartesia'; discovery: CartesiaDiscoverySettings };

export type ResolvedIdentityTargets = { issues: ProblemIssue[]; locators: Map<number, JsonObject> };

export type ResolveInputs = {
  targets: readonly Target[];
  subject: SubjectIdentities | undefined;
  connections: readonly DiscoveryConnection[];
  now: Date;
  hashKey: string;
};

/**
 * Targets whose connection is missing or of the wrong type are left to checkTargetConnections (a 422);
 * every other identity target gets a locator or issues.
 */
export function resolveIdentityTargets({ targets, subject, connections, now, hashKey }: ResolveInputs): ResolvedIdentityTargets {
  const issues: ProblemIssue[] = [];
  const locators = new Map<number, JsonObject>();
  targets.forEach((target, index) => {
    const base = `body.targets.${index}`;
    const connection = connections.find((c) => c.name === target.connection);
    if (target.type === 'koreai.user' && connection?.type === 'koreai') {
      const out = resolveKoreaiUser(target, subject, connection.discovery, now, hashKey, base);
      if ('issues' in out) issues.push(...out.issues);
      else locators.set(index, out.locator);
    } else if (target.type === 'cartesia.subject' && connection?.type === 'cartesia') {
      const out = resolveCartesiaSubject(target, subject, connection, now, hashKey, base);
      if ('issues' in out) issues.push(...out.issues);
      else locators.set(index, out.locator);
    }
  });
  return { issues, locators };
}

type Resolved = { locator: JsonObject } | { issues: ProblemIssue[] };

/** `from`: start of that day when date-only; `to`: end of that day, or now when that day is today. */
function rangeEnd(value: string, now: Date): Date | null {
  const parsed = parseTargetDate(value);
  if (parsed === null) return null;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return parsed;
  const endOfDay = new Date(parsed.getTime() + DAY_MS - 1);
  return endOfDay.getTime() > now.getTime() && parsed.getTime() <= now.getTime() ? now : endOfDay;
}

function checkRange(from: Date, to: Date, now: Date, maxRangeDays: number, connection: string, paths: { from: string; to: string }): ProblemIssue[] {
  const issues: ProblemIssue[] = [];
  if (to.getTime() > now.getTime()) issues.push({ path: paths.to, message: 'the range ends in the future' });
  if (from.getTime() >= to.getTime()) issues.push({ path: paths.from, message: 'the range must start before it ends' });
  const days = (to.getTime() - from.getTime()) / DAY_MS;
  if (days > maxRangeDays) {
    issues.push({ path: paths.from, message: `the range is ${Math.ceil(days)} days; connection "${connection}" searches at most ${maxRangeDays} (discovery.maxRangeDays)` });
  }
  return issues;
}

function resolveKoreaiUser(
  target: KoreaiUserTarget,
  subject: SubjectIdentities | undefined,
  settings: KoreaiDiscoverySettings,
  now: Date,
  hashKey: string,
  base: string,
): Resolved {
  const issues: ProblemIssue[] = [];
  const userId = target.userId ?? subject?.userId;
  if (userId === undefined) issues.push({ path: `${base}.userId`, message: 'give userId, or subject.userId: the Kore.ai user whose sessions to find' });
  const to = target.to === undefined ? now : rangeEnd(target.to, now);
  if (to === null) issues.push({ path: `${base}.to`, message: 'not a valid date' });
  const from = target.from === undefined ? (to === null ? null : new Date(to.getTime() - settings.lookbackDays * DAY_MS)) : parseTargetDate(target.from);
  if (from === null && target.from !== undefined) issues.push({ path: `${base}.from`, message: 'not a valid date' });
  if (from !== null && to !== null) issues.push(...checkRange(from, to, now, settings.maxRangeDays, target.connection, { from: `${base}.from`, to: `${base}.to` }));
  if (issues.length > 0 || userId === undefined || from === null || to === null) return { issues };

  const cId = target.cId ?? (isKoreaiChannelUserId(userId) ? userId : undefined);
  const identities: KoreaiDiscoveryLocator['identities'] = { userId: identityHash(hashKey, 'userId', normaliseIdentifier(userId)) };
  if (cId !== undefined) identities.cId = identityHash(hashKey, 'cId', normaliseIdentifier(cId));
  const locator: KoreaiDiscoveryLocator = {
    userId,
    ...(cId === undefined ? {} : { cId }),
    from: from.toISOString(),
    to: to.toISOString(),
    windowDays: settings.windowDays,
    conversationsFromSessions: settings.conversationsFromSessions,
    identities,
  };
  return { locator };
}

function resolveCartesiaSubject(
  target: CartesiaSubjectTarget,
  subject: SubjectIdentities | undefined,
  connection: Extract<DiscoveryConnection, { type: 'cartesia' }>,
  now: Date,
  hashKey: string,
  base: string,
): Resolved {
  const settings = connection.discovery;
  const issues: ProblemIssue[] = [];
  const agentIds = target.agentIds ?? settings.agentIds;
  if (agentIds.length === 0) {
    issues.push({ path: `${base}.agentIds`, message: `give agentIds, or configure discovery.agentIds on connection "${connection.name}": Cartesia lists calls per agent` });
  }
  const phones: string[] = [];
  if (target.phones !== undefined) {
    target.phones.forEach((raw, i) => {
      const e164 = toE164(raw);
      if (e164 === null) issues.push({ path: `${base}.phones.${i}`, message: 'not an international (E.164) number: + and the country code, e.g. +14155550123' });
      else if (!phones.includes(e164)) phones.push(e164);
    });
  } else if (subject?.phone !== undefined) {
    const e164 = toE164(subject.phone);
    if (e164 === null) issues.push({ path: 'body.subject.phone', message: `${base} searches subject.phone, which is not an international (E.164) number; give phones` });
    else phones.push(e164);
  }
  const metadata = target.metadata;
  const hasMetadata = metadata !== undefined && Object.keys(metadata).length > 0;
  if (phones.length === 0 && !hasMetadata && issues.length === 0) {
    issues.push({ path: `${base}.phones`, message: 'give phones, metadata or subject.phone: what identifies the person in a call' });
  }
  const since = target.since === undefined ? new Date(now.getTime() - settings.lookbackDays * DAY_MS) : parseTargetDate(target.since);
  if (since === null) issues.push({ path: `${base}.since`, message: 'not a valid date' });
  else if (since.getTime() > now.getTime()) issues.push({ path: `${base}.since`, message: 'since is in the future' });
  else issues.push(...checkRange(since, now, now, settings.maxRangeDays, target.connection, { from: `${base}.since`, to: `${base}.since` }));
  if (issues.length > 0 || since === null) return { issues };

  const identities: CartesiaDiscoveryLocator['identities'] = {};
  if (phones.length > 0) identities.phones = phones.map((p) => identityHash(hashKey, 'phone', p));
  if (hasMetadata) {
    identities.metadata = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k, identityHash(hashKey, `metadata.${k}`, String(v))]));
  }
  const locator: CartesiaDiscoveryLocator = {
    agentIds: [...new Set(agentIds)],
    ...(phones.length > 0 ? { phones } : {}),
    ...(hasMetadata ? { metadata } : {}),
    since: since.toISOString(),
    until: now.toISOString(),
    identities,
  };
  return { locator };
}
