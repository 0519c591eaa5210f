// Opaque pagination cursors: base64url JSON that callers pass back unchanged. Decoding never throws;
// a cursor that does not decode to the expected shape is null (the caller answers 400).

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,512}$/.test(cursor)) return null;
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Position after a request in the newest-first list: (createdAt, id) of the last one returned. */
export type RequestCursor = { createdAt: Date; id: string };

export function encodeRequestCursor(c: RequestCursor): string {
  return encode({ t: c.createdAt.toISOString(), i: c.id });
}

export function decodeRequestCursor(cursor: string): RequestCursor | null {
  const v = decode(cursor) as { t?: unknown; i?: unknown } | null;
  if (v === null || typeof v !== 'object' || typeof v.t !== 'string' || typeof v.i !== 'string' || !UUID.test(v.i)) return null;
  const t = Date.parse(v.t);
  return Number.isNaN(t) ? null : { createdAt: new Date(t), id: v.i };
}

/** Position after a task in seq order. */
export function encodeTaskCursor(seq: number): string {
  return encode({ s: seq });
}

export function decodeTaskCursor(cursor: string): number | null {
  const v = decode(cursor) as { s?: unknown } | null;
  if (v === null || typeof v !== 'object' || typeof v.s !== 'number' || !Number.isSafeInteger(v.s) || v.s < 0) return null;
  return v.s;
}
