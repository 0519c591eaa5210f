// Subject identities and their keyed hashes. The raw identities are personal data (kept only until the
// purge); the HMAC-SHA256 of each normalised identity is what events and evidence may carry, because
// without the key nobody can test a guessed e-mail address against it.
import { createHmac } from 'node:crypto';

export type SubjectIdentities = {
  email?: string;
  phone?: string;
  userId?: string;
  name?: string;
  /** Identifiers in other systems, by system name (e.g. `{ "crm": "C-123" }`). */
  externalIds?: Record<string, string>;
};

export type SubjectHashes = {
  email?: string;
  phone?: string;
  userId?: string;
  name?: string;
  externalIds?: Record<string, string>;
};

/** Where the key lives in the resolved secrets (config `privacy.subjectHashKey`). */
export const SUBJECT_HASH_KEY_SECRET = 'privacy.subjectHashKey';

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Digits only, keeping a leading `+`: "+44 (20) 7946-0958" → "+442079460958". */
export function normalisePhone(phone: string): string {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/\D/g, '');
  return trimmed.startsWith('+') ? `+${digits}` : digits;
}

export function normaliseName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

export function normaliseIdentifier(value: string): string {
  return value.trim();
}

/** HMAC-SHA256 (hex) of one identity; the kind is part of the input so equal strings of two kinds differ. */
export function identityHash(key: string, kind: string, normalisedValue: string): string {
  return createHmac('sha256', key).update(`${kind}\u0000${normalisedValue}`).digest('hex');
}

export function hashSubject(subject: SubjectIdentities, key: string): SubjectHashes {
  const hashes: SubjectHashes = {};
  if (subject.email !== undefined) hashes.email = identityHash(key, 'email', normaliseEmail(subject.email));
  if (subject.phone !== undefined) hashes.phone = identityHash(key, 'phone', normalisePhone(subject.phone));
  if (subject.userId !== undefined) hashes.userId = identityHash(key, 'userId', normaliseIdentifier(subject.userId));
  if (subject.name !== undefined) hashes.name = identityHash(key, 'name', normaliseName(subject.name));
  if (subject.externalIds !== undefined) {
    hashes.externalIds = Object.fromEntries(
      Object.entries(subject.externalIds).map(([system, id]) => [system, identityHash(key, `externalIds.${system}`, normaliseIdentifier(id))]),
    );
  }
  return hashes;
}

/** Which kinds of identity were given, e.g. `['email', 'phone']` — safe to log and to put in events. */
export function identityKinds(subject: SubjectIdentities): string[] {
  return (['email', 'phone', 'userId', 'name', 'externalIds'] as const).filter((k) => subject[k] !== undefined);
}
