// Which locator fields name a person rather than a record. A conversation, session or call id identifies
// a record at the upstream (and the evidence needs it); a channel user id, a user id, a phone number or a
// callback URL points at a person, or may (callers put e-mail addresses in `cId`). Those fields are
// replaced by their keyed hash (the subject hash key, as for subject identities) wherever the gateway
// keeps them for good: in the evidence from the start, and in the task rows (so in GET …/tasks) once the
// request's personal data is purged. This table is the one place that says which fields they are: a new
// target type that carries a person-level locator adds its entry here.
import { identityHash, normaliseIdentifier, normalisePhone } from './subject.ts';
import type { JsonObject } from './json.ts';
import type { TaskType } from './types.ts';

export type PersonLocatorField = {
  /** The locator field (a string, an array of strings, or an object whose values are strings). */
  field: string;
  /**
   * The kind mixed into the HMAC. A subject identity of the same kind gets the same hash (`userId`,
   * `phone`), so an operator holding the key can match the two.
   */
  kind: string;
  normalise: (value: string) => string;
};

/**
 * Person-level locator fields per task type; task types not listed carry none. A phone number field
 * would be `{ field: 'phones', kind: 'phone', normalise: normalisePhone }`, a user id
 * `{ field: 'userId', kind: 'userId', normalise: normaliseIdentifier }`: the kinds of subject identities.
 */
export const PERSON_LOCATOR_FIELDS: Readonly<Partial<Record<TaskType, readonly PersonLocatorField[]>>> = {
  'koreai.channel_user': [{ field: 'cId', kind: 'cId', normalise: normaliseIdentifier }],
  // What identity targets search for (domain/discovery.ts); their hashes are also in `identities` from the start.
  'koreai.discovery': [
    { field: 'userId', kind: 'userId', normalise: normaliseIdentifier },
    { field: 'cId', kind: 'cId', normalise: normaliseIdentifier },
  ],
  'cartesia.discovery': [
    { field: 'phones', kind: 'phone', normalise: normalisePhone },
    { field: 'metadata', kind: 'metadata', normalise: (v) => v },
  ],
  // The URL may carry a caller's token and names the caller's receiver; the host stays in the trail.
  callback: [{ field: 'url', kind: 'callbackUrl', normalise: (v) => v }],
};

/** How a person-level value looks once replaced: the hex HMAC-SHA256, marked so it is never taken for a raw value. */
export type KeyedHash = { keyedHash: string };

const HEX64 = /^[0-9a-f]{64}$/;

export function isKeyedHash(value: unknown): value is KeyedHash {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'keyedHash' && typeof (value as KeyedHash).keyedHash === 'string' && HEX64.test((value as KeyedHash).keyedHash);
}

/** Strings become keyed hashes; arrays and objects are walked; a value already hashed is kept. */
function hashValue(value: unknown, key: string, f: PersonLocatorField): unknown {
  if (isKeyedHash(value)) return value;
  if (typeof value === 'string') return { keyedHash: identityHash(key, f.kind, f.normalise(value)) };
  if (typeof value === 'number' || typeof value === 'boolean') return hashValue(String(value), key, f);
  if (Array.isArray(value)) return value.map((v) => hashValue(v, key, f));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hashValue(v, key, f)]));
  }
  return value;
}

/** The locator with every person-level field of its task type replaced by its keyed hash. Idempotent. */
export function hashPersonLocators(type: TaskType, locator: JsonObject, key: string): JsonObject {
  const fields = PERSON_LOCATOR_FIELDS[type];
  if (fields === undefined) return locator;
  const out: JsonObject = { ...locator };
  for (const f of fields) if (f.field in out && out[f.field] !== null && out[f.field] !== undefined) out[f.field] = hashValue(out[f.field], key, f);
  return out;
}

/** Whether the locator still holds a person-level value in the clear. */
export function holdsPersonLocator(type: TaskType, locator: JsonObject): boolean {
  const fields = PERSON_LOCATOR_FIELDS[type] ?? [];
  const raw = (v: unknown): boolean =>
    isKeyedHash(v) ? false : Array.isArray(v) ? v.some(raw) : typeof v === 'object' && v !== null ? Object.values(v).some(raw) : v !== null && v !== undefined;
  return fields.some((f) => raw(locator[f.field]));
}
