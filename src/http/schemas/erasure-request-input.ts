// The body of POST /v1/erasure-requests. Strict everywhere: an unknown field is a 400, not silently dropped.
import { z } from 'zod';
import type { ErasureRequestInput } from '../../domain/erasure-request.ts';
import type { SameType } from '../../domain/same-type.ts';
import { REGULATIONS } from '../../domain/types.ts';
import { isStorableText, isWritableInstant, STORABLE_TEXT_MESSAGE } from './common.ts';

// Upstream ids are opaque, but printable and bounded.
const upstreamId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^\s\p{Cc}][^\p{Cc}]*$/u, 'must be printable and not start with a space')
  .refine(isStorableText, STORABLE_TEXT_MESSAGE);

function uniqueIds(max: number, what: string) {
  return z
    .array(upstreamId)
    .min(1)
    .max(max)
    .superRefine((ids, ctx) => {
      const seen = new Set<string>();
      ids.forEach((id, index) => {
        if (seen.has(id)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${what} (each id may appear once)` });
        seen.add(id);
      });
    })
    .describe(`1..${max} unique ${what}s`);
}

const connection = z.string().min(1).max(63).describe('Name of a configured connection of the type this target needs');

const targetDate = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe('YYYY-MM-DD or ISO 8601 date-time; inclusive');

export const conversationsTarget = z.strictObject({
  type: z.literal('koreai.conversations'),
  connection,
  conversationIds: uniqueIds(10_000, 'conversation id').describe(
    '1..10000 unique conversation ids; the gateway splits them into upstream jobs of at most 100',
  ),
});

export const channelUserTarget = z.strictObject({
  type: z.literal('koreai.channel_user'),
  connection,
  cId: upstreamId.describe('Kore.ai channel user id (e.g. u-…)'),
  startDate: targetDate.optional(),
  endDate: targetDate.optional().describe('Not before startDate; today (UTC) at the latest, in either form; a bare day is the whole day; omitted: the time of submission to Kore.ai'),
});

export const recordingsTarget = z.strictObject({
  type: z.literal('koreai.recordings'),
  connection,
  sessionIds: uniqueIds(1000, 'session id'),
});

export const cartesiaCallsTarget = z.strictObject({
  type: z.literal('cartesia.calls'),
  connection,
  callIds: uniqueIds(1000, 'call id'),
});

export const koreaiUserTarget = z
  .strictObject({
    type: z.literal('koreai.user'),
    connection,
    userId: upstreamId.optional().describe("The bot's user id, as getSessions takes it; default: subject.userId"),
    cId: upstreamId.optional().describe('The channel user (u-…) whose conversations to delete too; default: userId when it has that form'),
    from: targetDate.optional().describe("Start of the range searched; default: the connection's discovery.lookbackDays (365) before `to`"),
    to: targetDate.optional().describe('End of the range searched (not in the future); default: now'),
  })
  .describe("A person at a Kore.ai bot: the gateway finds their sessions (getSessions, windows of at most 7 days) and erases each session's recording and conversation");

const e164 = z
  .string()
  .regex(/^\+[1-9][0-9]{7,14}$/, 'an international (E.164) number: + and the country code, no spaces, e.g. +14155550123')
  .describe('E.164, e.g. +14155550123');

const metadataValue = z.union([z.string().min(1).max(200).refine(isStorableText, STORABLE_TEXT_MESSAGE), z.number(), z.boolean()]);

export const cartesiaSubjectTarget = z
  .strictObject({
    type: z.literal('cartesia.subject'),
    connection,
    agentIds: uniqueIds(100, 'agent id').optional().describe("Agents whose calls to search; default: the connection's discovery.agentIds"),
    phones: z.array(e164).min(1).max(20).optional().describe('Numbers to match in telephony_params.from or .to; default: subject.phone'),
    metadata: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'keys: letters, digits, _ . -, at most 64'), metadataValue)
      .refine((m) => Object.keys(m).length <= 20, 'at most 20 keys')
      .optional()
      .describe("Call metadata to match (at most 20 keys; none: not matched on metadata): a call matches when every key has this value (or when a phone matches)"),
    since: targetDate.optional().describe("Calls that started at or after this; default: the connection's discovery.lookbackDays ago"),
  })
  .describe("A person at Cartesia: the gateway pages the agents' calls, newest first, and erases those whose number or metadata match");

export const targetSchema = z.discriminatedUnion('type', [conversationsTarget, channelUserTarget, recordingsTarget, cartesiaCallsTarget, koreaiUserTarget, cartesiaSubjectTarget]);

const identity = z.string().min(1).max(200).refine(isStorableText, STORABLE_TEXT_MESSAGE);

export const subjectSchema = z
  .strictObject({
    email: z.email().max(254).optional(),
    phone: z
      .string()
      .max(32)
      .regex(/^\+?[0-9 ().-]*[0-9][0-9 ().-]*$/, 'digits, spaces, ( ) . - and an optional leading +')
      .optional(),
    userId: identity.optional(),
    name: identity.optional(),
    externalIds: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'system names: letters, digits, _ . -, at most 64'), identity)
      .refine((ids) => Object.keys(ids).length <= 20, 'at most 20 external ids')
      .optional()
      .describe('Identifiers in other systems, by system name'),
  })
  .refine((s) => Object.values(s).some((v) => v !== undefined), 'give at least one identity, or leave subject out')
  .describe('Who the data is about. Stored only until the purge; events, logs and evidence carry keyed hashes.');

export const erasureRequestInput = z
  .strictObject({
    externalRef: z.string().min(1).max(200).refine(isStorableText, STORABLE_TEXT_MESSAGE).optional().describe("The caller's own reference (ticket id)"),
    regulation: z.enum(REGULATIONS),
    subject: subjectSchema.optional(),
    targets: z.array(targetSchema).min(1).max(50).describe('1..50 targets'),
    callbackUrl: z
      .url()
      .max(2048)
      .optional()
      .describe('https URL on a host in callbacks.allowedHosts; receives the request resource when it is final'),
    dueAt: z.iso
      .datetime({ offset: true })
      // The resource shows it back as an ISO date-time, which has four-digit years.
      .refine(isWritableInstant, 'must fall within the years 0000–9999 in UTC')
      .optional()
      .describe('Deadline; default from the regulation: GDPR one calendar month, CCPA 45 days, other 30 days'),
  })
  .meta({ id: 'NewErasureRequest' });

true satisfies SameType<z.output<typeof erasureRequestInput>, ErasureRequestInput>;

/** Printable ASCII, 1..255 characters, as the Idempotency-Key draft's sf-string allows. */
export const idempotencyKeyHeader = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x20-\x7e]+$/, 'printable ASCII only')
  .describe('Makes the submit safe to retry: same key and same body replay the first answer');
