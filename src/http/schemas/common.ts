// Small schemas shared by routes.
import { z } from 'zod';

/** Path ids: anything not shaped like a UUID is answered 404 (no such resource), never a database error. */
export const requestIdParams = z.object({ id: z.guid().describe('Erasure request id') });

export const timestamp = z.iso.datetime({ offset: true });

/** Query-string booleans are text: only "true" and "false" are accepted. */
export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

export function pageLimit(max: number, fallback: number) {
  return z.coerce.number().int().min(1).max(max).default(fallback).describe(`Page size, 1..${max} (default ${fallback})`);
}

export const cursorParam = z.string().min(1).max(512).describe('Opaque cursor: the `nextCursor` of the previous page');

/**
 * Text Postgres can store: no NUL (a `text` or `jsonb` value cannot hold one) and no unpaired surrogate
 * (UTF-8 cannot encode one). Checked at the edge, so such input is a 400 instead of a failed write (500).
 */
export function isStorableText(value: string): boolean {
  return value.isWellFormed() && !value.includes('\u0000');
}

export const STORABLE_TEXT_MESSAGE = 'must not contain NUL characters or unpaired UTF-16 surrogates';

/** An instant the API can write back as an ISO 8601 date-time: years 0000–9999 in UTC. */
export function isWritableInstant(value: string): boolean {
  const year = new Date(value).getUTCFullYear();
  return year >= 0 && year <= 9999;
}
