// Requests generated from the OpenAPI document, for property-based fuzzing with fast-check.
//
// readOperations() turns the document into operations (method, path template, parameters, body schema,
// documented responses, the scopes its description names). requestsFor() then makes arbitrary HTTP
// requests for one operation: each part — path parameters, query string, headers, body — is either
// valid by the document (plus the domain rules a schema cannot say, given as `FuzzHints`) or varied in
// one of the ways callers get things wrong: wrong types, unknown fields, missing fields, huge strings,
// unicode and control characters, nulls, deep nesting, numbers at the edges, malformed encodings, other
// content types, Accept values, Authorization variants, keys without the needed scope. A request whose
// every part is valid says so (`expectSuccess`), so the test can require the documented 2xx for it.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';

// ---- the document --------------------------------------------------------------------------------

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
};

type DocParameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema: JsonSchema };
type DocOperation = {
  operationId?: string;
  description?: string;
  parameters?: DocParameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: Record<string, string[]>[];
};
export type OpenApiDocument = {
  paths: Record<string, Record<string, DocOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

export type Parameter = { name: string; required: boolean; schema: JsonSchema };

export type ApiOperation = {
  method: string;
  /** The path template, e.g. `/v1/erasure-requests/{id}`. */
  path: string;
  operationId: string;
  pathParams: Parameter[];
  query: Parameter[];
  headers: Parameter[];
  body: { schema: JsonSchema; mediaTypes: string[]; required: boolean } | null;
  /** Documented answers: status → media types (empty when the document names none). */
  responses: Map<number, string[]>;
  /** Scopes of which the caller needs one; null for a public operation. */
  scopes: string[] | null;
};

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation of the document, in document order. */
export function readOperations(doc: OpenApiDocument): ApiOperation[] {
  const operations: ApiOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const params = op.parameters ?? [];
      const pick = (where: DocParameter['in']) =>
        params.filter((p) => p.in === where).map((p) => ({ name: p.name, required: p.required === true || where === 'path', schema: p.schema }));
      const content = op.requestBody?.content;
      const firstMedia = content === undefined ? undefined : Object.keys(content)[0];
      const secured = (op.security ?? []).length > 0;
      // The scopes are named in the description ("Requires an API key with scope `a` or `b`.").
      const scopes = secured ? [...(/Requires an API key with scope (.*?)\./.exec(op.description ?? '')?.[1] ?? '').matchAll(/`([^`]+)`/g)].map((m) => m[1]!) : null;
      operations.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId ?? `${method} ${path}`,
        pathParams: pick('path'),
        query: pick('query'),
        headers: pick('header'),
        body:
          content === undefined || firstMedia === undefined
            ? null
            : { schema: content[firstMedia]!.schema, mediaTypes: Object.keys(content), required: op.requestBody?.required === true },
        responses: new Map(Object.entries(op.responses).map(([status, r]) => [Number(status), Object.keys(r.content ?? {})])),
        scopes,
      });
    }
  }
  return operations;
}

function resolve(doc: OpenApiDocument, schema: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; s.$ref !== undefined && i < 10; i += 1) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const found = doc.components?.schemas?.[name];
    if (found === undefined) throw new Error(`unresolved ${s.$ref}`);
    s = found;
  }
  return s;
}

// ---- what the schema cannot say --------------------------------------------------------------------

export type ApiKey = { token: string; scopes: readonly string[] };

export type FuzzHints = {
  /** Keys the server knows, with their scopes. */
  keys: readonly ApiKey[];
  /**
   * A generator of valid values for a location the document does not pin down well enough, e.g. the
   * connection of a target (must exist) or a callback URL (its host must be allowed). Locations read like
   * `body.targets[].connection`, `query.cursor`, `path.id`; return undefined to use the schema.
   * For `query.*` an arbitrary of `undefined` means "leave the parameter out".
   */
  validValue?: (location: string, operation: ApiOperation) => fc.Arbitrary<unknown> | undefined;
  /** Rules between fields, applied to a generated valid value, e.g. `endDate` not before `startDate`. */
  adjustValid?: (location: string, value: unknown) => unknown;
  /** Path parameter values that name resources which exist (a valid request for them must succeed). */
  existing?: (operation: ApiOperation, param: string) => fc.Arbitrary<string> | undefined;
  /** Idempotency keys to reuse across requests (to provoke replays and 422 reuse). */
  sharedIdempotencyKeys?: readonly string[];
};

// ---- valid values ------------------------------------------------------------------------------------

const MAX_GENERATED_ITEMS = 6;
const MAX_GENERATED_LENGTH = 40;

function typeOf(s: JsonSchema): string | undefined {
  return Array.isArray(s.type) ? s.type[0] : s.type;
}

function stringArbitrary(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = Math.min(s.maxLength ?? MAX_GENERATED_LENGTH, Math.max(min, MAX_GENERATED_LENGTH));
  const fits = (v: string) => v.length >= min && v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY);
  if (s.pattern !== undefined) {
    const re = new RegExp(s.pattern, 'u');
    return fc.stringMatching(re).filter(fits);
  }
  // Text with no pattern: ASCII and the rest of Unicode, control characters included — but not NUL,
  // which no Postgres text can hold (the API refuses it as invalid, which JSON Schema cannot say).
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: max }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: min, maxLength: max }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: max }) },
    )
    .filter((v) => fits(v) && !v.includes('\u0000'));
}

function integerArbitrary(s: JsonSchema): fc.Arbitrary<number> {
  const min = Math.max(s.minimum ?? -(2 ** 31), Number.MIN_SAFE_INTEGER);
  const max = Math.min(s.maximum ?? 2 ** 31, Number.MAX_SAFE_INTEGER);
  return fc.oneof(fc.constantFrom(min, max), fc.integer({ min, max }));
}

/** Values valid by the schema at `location` (and by the hints). */
export function validValue(doc: OpenApiDocument, schema: JsonSchema, location: string, hints: FuzzHints, operation: ApiOperation): fc.Arbitrary<unknown> {
  const override = hints.validValue?.(location, operation);
  const adjust = (arb: fc.Arbitrary<unknown>) => (hints.adjustValid === undefined ? arb : arb.map((v) => hints.adjustValid!(location, v)));
  if (override !== undefined) return adjust(override);
  const s = resolve(doc, schema);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum !== undefined) return fc.constantFrom(...s.enum);
  if (s.oneOf !== undefined || s.anyOf !== undefined) {
    return adjust(fc.oneof(...(s.oneOf ?? s.anyOf)!.map((branch) => validValue(doc, branch, location, hints, operation))));
  }
  switch (typeOf(s)) {
    case 'string':
      return adjust(stringArbitrary(s));
    case 'integer':
      return adjust(integerArbitrary(s));
    case 'number':
      return adjust(fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true }));
    case 'boolean':
      return fc.boolean();
    case 'array': {
      const minLength = s.minItems ?? 0;
      const maxLength = Math.min(s.maxItems ?? MAX_GENERATED_ITEMS, minLength + MAX_GENERATED_ITEMS);
      // Unique items: the API refuses duplicate ids, and unique is never less valid.
      return adjust(fc.uniqueArray(validValue(doc, s.items ?? {}, `${location}[]`, hints, operation), { minLength, maxLength, selector: (v) => JSON.stringify(v) }));
    }
    case 'object': {
      const props = s.properties ?? {};
      const required = s.required ?? [];
      const record = fc.record(
        Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validValue(doc, v, `${location}.${k}`, hints, operation)])),
        { requiredKeys: required },
      );
      const extra = s.additionalProperties;
      if (extra !== undefined && typeof extra === 'object') {
        const keys = s.propertyNames === undefined ? fc.string({ minLength: 1, maxLength: 20 }) : stringArbitrary(s.propertyNames);
        const dict = fc.dictionary(keys, validValue(doc, extra, `${location}.*`, hints, operation), { maxKeys: 4, noNullPrototype: true });
        return adjust(fc.tuple(record, dict).map(([r, d]) => ({ ...d, ...r })));
      }
      return adjust(record);
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

// ---- invalid values ----------------------------------------------------------------------------------

/** Raw JSON text spliced in where a value was: numbers JSON.stringify cannot write, and other tokens. */
export class RawJson {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
  toJSON(): string {
    return `\u0000raw:${this.text}\u0000`;
  }
}

function nest(depth: number, leaf: unknown, kind: 'array' | 'object'): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i += 1) v = kind === 'array' ? [v] : { a: v };
  return v;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => `x${String.fromCharCode(c)}y`);

/** Values that are wrong somewhere: the wrong type, edges, huge, odd text, nested deep. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), 1e308, -1e308, 5e-324, '', ' ', 'null', '[]', [], {}, [null], { '': null }),
  fc.constantFrom(
    new RawJson('-0'),
    new RawJson('1e400'),
    new RawJson('-1e400'),
    new RawJson('123456789012345678901234567890'),
    new RawJson('0.0000000000000000000000000001'),
    new RawJson('1E-400'),
  ),
  fc.constantFrom('\u0000', 'a\u0000b', '\u202eevil', '\ufeffbom', 'e\u0301', '𝓊𝓃𝒾𝒸𝑜𝒹𝑒', '🧨🧨', '\\', '"', "'; drop table task; --", '${jndi:x}', '../../etc/passwd', '%00', '<script>', '\r\n'),
  loneSurrogate,
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.integer({ min: 201, max: 5000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 100_000, max: 400_000 }).map((n) => 'é'.repeat(n)),
  fc.tuple(fc.integer({ min: 20, max: 3000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([d, k]) => nest(d, 'deep', k)),
  fc.array(fc.string({ maxLength: 5 }), { minLength: 1001, maxLength: 1100 }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Path = (string | number)[];

/** Places a mutation can go: every value down to MAX_MUTATION_DEPTH (not into a 3,000-deep nest it made). */
const MAX_MUTATION_DEPTH = 12;

function pathsOf(root: unknown): Path[] {
  const out: Path[] = [];
  const stack: { value: unknown; path: Path }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    out.push(path);
    if (path.length >= MAX_MUTATION_DEPTH) continue;
    if (Array.isArray(value)) value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) stack.push({ value: v, path: [...path, k] });
  }
  return out;
}

function setAt(root: unknown, path: Path, replace: (old: unknown) => unknown): unknown {
  if (path.length === 0) return replace(root);
  const [head, ...rest] = path;
  if (Array.isArray(root)) return root.map((v, i) => (i === head ? setAt(v, rest, replace) : v));
  if (root !== null && typeof root === 'object') {
    return Object.fromEntries(Object.entries(root).map(([k, v]) => [k, k === head ? setAt(v, rest, replace) : v]));
  }
  return root;
}

export type Mutation = 'replace' | 'extra-field' | 'drop-field' | 'duplicate-item' | 'empty' | 'many-items';

/** A valid value with one or two things wrong with it, at places chosen at random. */
export function mutated(valid: fc.Arbitrary<unknown>): fc.Arbitrary<{ value: unknown; mutations: string[] }> {
  const one = fc.record({
    kind: fc.constantFrom<Mutation>('replace', 'replace', 'replace', 'extra-field', 'drop-field', 'duplicate-item', 'empty', 'many-items'),
    at: fc.nat(),
    nasty: nastyValue,
    field: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'id', 'status', 'type', ''), fc.string({ maxLength: 12 })),
  });
  return fc.tuple(valid, fc.array(one, { minLength: 1, maxLength: 2 })).map(([start, changes]) => {
    let value = start;
    const mutations: string[] = [];
    for (const c of changes) {
      const paths = pathsOf(value);
      const path = paths[c.at % paths.length]!;
      const where = path.join('.') || '(root)';
      switch (c.kind) {
        case 'replace':
          value = setAt(value, path, () => c.nasty);
          mutations.push(`replace ${where}`);
          break;
        case 'extra-field':
          value = setAt(value, path, (old) => (old !== null && typeof old === 'object' && !Array.isArray(old) ? { ...old, [c.field]: c.nasty } : old));
          mutations.push(`extra field ${JSON.stringify(c.field)} at ${where}`);
          break;
        case 'drop-field':
          if (path.length > 0) {
            const parent = path.slice(0, -1);
            const key = path.at(-1)!;
            value = setAt(value, parent, (old) =>
              Array.isArray(old) ? old.filter((_, i) => i !== key) : Object.fromEntries(Object.entries(old as object).filter(([k]) => k !== key)),
            );
            mutations.push(`drop ${where}`);
          }
          break;
        case 'duplicate-item':
          value = setAt(value, path, (old) => (Array.isArray(old) && old.length > 0 ? [...old, old[0]] : old));
          mutations.push(`duplicate first item of ${where}`);
          break;
        case 'empty':
          value = setAt(value, path, (old) => (Array.isArray(old) ? [] : typeof old === 'string' ? '' : old !== null && typeof old === 'object' ? {} : old));
          mutations.push(`empty ${where}`);
          break;
        case 'many-items':
          // Short ids: 10,001 of them (over every id list's limit); anything else: 51 (over the 50 targets),
          // so the body stays a few megabytes at most.
          value = setAt(value, path, (old) => {
            if (!Array.isArray(old) || old.length === 0) return old;
            const first: unknown = old[0];
            return typeof first === 'string' && first.length <= 300
              ? Array.from({ length: 10_001 }, (_, i) => `${first}-${i}`)
              : Array.from({ length: 51 }, () => first);
          });
          mutations.push(`many items at ${where}`);
          break;
      }
    }
    return { value, mutations };
  });
}

/** JSON text of a generated value, RawJson tokens spliced in as written. */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(value);
  // Most bodies have no raw token: skip the regular expression (slow on megabyte strings).
  if (!text.includes('"\\u0000raw:')) return text;
  return text.replace(/"\\u0000raw:([^"\\]*)\\u0000"/g, (_, raw: string) => raw);
}

// ---- requests ----------------------------------------------------------------------------------------

export type GeneratedRequest = {
  operationId: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  /** Every part is valid by the document and the hints, and names existing resources: it must succeed. */
  expectSuccess: boolean;
  /** What was varied, for the report of a failing case. */
  notes: string[];
  /** The status the request must get regardless of its other parts (e.g. 405 for a method a path lacks). */
  expectStatus?: number;
};

type Part<T> = { value: T; valid: boolean; note?: string };

const JSON_CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json;charset=UTF-8'];
const OTHER_CONTENT_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/xml',
  'text/csv',
  'application/problem+json',
  'application/merge-patch+json',
  'application/jsonx',
  'application/octet-stream',
  'application/json; charset=utf-16',
  'Application/JSON',
  'json',
  '*/*',
  ';',
  'application/',
];

const ACCEPTS = [
  'application/json',
  '*/*',
  'text/csv',
  'text/csv, application/json;q=0.5',
  'application/json, text/csv;q=0.1',
  'application/jose',
  'application/problem+json',
  'text/html',
  'application/xml',
  'text/csv;q=0',
  '*/*;q=0',
  'application/*',
  'text/*',
  'text/csv;q=abc',
  ',,,',
  '/',
  'image/png;q=1, */*;q=0.0001',
];

/** encodeURIComponent, for any string (a lone surrogate goes as U+FFFD, as a client's encoder sends it). */
function uriEncode(s: string): string {
  return encodeURIComponent(s.toWellFormed());
}

function headerSafe(s: string): string {
  // What an HTTP client can put in a header: no control characters but tab, one byte per character
  // (other text goes as its UTF-8 bytes, as clients send it).
  return s.replace(/[^\u0000-\u00ff]/gu, (c) => Buffer.from(c, 'utf8').toString('latin1')).replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ' ');
}

const headerJunk = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.integer({ min: 256, max: 9000 }).map((n) => 'k'.repeat(n)),
).map(headerSafe);

function authorizationPart(op: ApiOperation, hints: FuzzHints): fc.Arbitrary<Part<string | undefined>> {
  const sufficient = hints.keys.filter((k) => op.scopes === null || k.scopes.some((s) => op.scopes!.includes(s)));
  const insufficient = hints.keys.filter((k) => !sufficient.includes(k));
  // Mostly a key that may: the other parts of the request are only looked at after authentication.
  const valid = (weight: number, note: string | undefined, value: (token: string) => string) =>
    sufficient.length === 0 ? [] : [{ weight, arbitrary: fc.constantFrom(...sufficient).map((k) => ({ value: value(k.token), valid: true, note })) }];
  const invalid = (note: string, value: fc.Arbitrary<string | undefined>) => ({ weight: 1, arbitrary: value.map((v) => ({ value: v, valid: op.scopes === null, note })) });
  const secretLike = hints.keys[0]?.token ?? 'key';
  return fc.oneof(
    ...valid(5, undefined, (t) => `Bearer ${t}`),
    ...valid(1, 'auth: lower-case scheme, spaces', (t) => `bearer  ${t} `),
    ...(insufficient.length === 0 ? [] : [invalid('auth: key without the scope', fc.constantFrom(...insufficient).map((k) => `Bearer ${k.token}`))]),
    invalid('auth: none', fc.constant(undefined)),
    invalid(
      'auth: malformed',
      fc.constantFrom(
        'Bearer',
        'Bearer ',
        `Basic ${Buffer.from(`user:${secretLike}`).toString('base64')}`,
        `Token ${secretLike}`,
        `Bearer ${secretLike} extra`,
        `Bearer ${secretLike.toUpperCase()}`,
        `Bearer ${secretLike}x`,
        `Bearer\t${secretLike}`,
        'Bearer null',
        '',
      ),
    ),
    invalid('auth: unknown key', headerJunk.map((j) => `Bearer ${j}`)),
  );
}

function acceptPart(op: ApiOperation): fc.Arbitrary<Part<string | undefined>> {
  const documented = new Set([...op.responses].filter(([s]) => s < 300).flatMap(([, media]) => media));
  const fine = (a: string | undefined) => a === undefined || a === '*/*' || a === 'application/json' || documented.has(a);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.constantFrom(...ACCEPTS) },
    { weight: 1, arbitrary: headerJunk },
  ).map((value) => ({ value, valid: fine(value), note: value === undefined ? undefined : `accept: ${value.slice(0, 40)}` }));
}

function pathValuePart(doc: OpenApiDocument, op: ApiOperation, p: Parameter, hints: FuzzHints): fc.Arbitrary<Part<string>> {
  const existing = hints.existing?.(op, p.name);
  const bySchema = validValue(doc, p.schema, `path.${p.name}`, hints, op).map(String);
  const encode = uriEncode;
  const variants: fc.Arbitrary<Part<string>>[] = [
    bySchema.map((v) => ({ value: encode(v), valid: false, note: `path ${p.name}: valid by schema (may not exist)` })),
    fc.oneof(
      fc.constantFrom(
        '00000000-0000-0000-0000-000000000000',
        'ffffffff-ffff-ffff-ffff-ffffffffffff',
        'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
        '1',
        '-1',
        '0',
        'null',
        'undefined',
        '%',
        '%ZZ',
        '%00',
        '%2F',
        '..',
        '.',
        '%2e%2e',
        '%E2%80%AE',
        '%C0%AF',
        '%F0%9F%A7%A8',
        ';',
        '*',
        "1'or'1'='1",
        `${randomUUID()}%00`,
        `{${randomUUID()}}`,
      ),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(encode),
      fc.integer({ min: 1000, max: 20_000 }).map((n) => 'a'.repeat(n)),
      fc.uuid().map((u) => `${u}x`),
      fc.uuid().map((u) => u.replaceAll('-', '')),
    ).map((value) => ({ value, valid: false, note: `path ${p.name}: ${value.slice(0, 40)}` })),
  ];
  if (existing !== undefined) {
    variants.unshift(existing.map((v) => ({ value: encode(v), valid: true })));
    variants.unshift(existing.map((v) => ({ value: encode(v), valid: true })));
  }
  return fc.oneof(...variants);
}

function queryPart(doc: OpenApiDocument, op: ApiOperation, hints: FuzzHints): fc.Arbitrary<Part<string>> {
  const validEach = op.query.map((p) =>
    fc.option(validValue(doc, p.schema, `query.${p.name}`, hints, op), { nil: undefined, freq: 2 }).map((v) => [p.name, v] as const),
  );
  const valid = fc.tuple(...validEach).map((pairs) => ({
    value: pairs
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${uriEncode(k)}=${uriEncode(String(v))}`)
      .join('&'),
    valid: true,
  }));
  const names = op.query.map((p) => p.name);
  const anyName = names.length === 0 ? fc.string({ maxLength: 10 }) : fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 10 }));
  const junkValue = fc.oneof(
    nastyValue.map((v) => (typeof v === 'string' ? v : toJsonText(v) ?? 'undefined').slice(0, 5000)),
    fc.constantFrom('0', '-1', '1.5', '1e3', '0x10', '99999999999999999999', 'NaN', 'Infinity', '', ' ', 'true', 'TRUE', '1', 'yes', '0000-01-01T00:00:00Z', '9999-12-31T23:59:59+23:59', '2026-02-30T00:00:00Z', '2026-01-01', 'now'),
  );
  const oneWrong = fc
    .tuple(valid, anyName, junkValue, fc.boolean())
    .map(([v, name, junk, encode]) => ({
      value: [v.value, `${uriEncode(name)}=${encode ? uriEncode(junk) : junk.toWellFormed().replace(/[&#]/g, '')}`].filter((s) => s !== '').join('&'),
      valid: false,
      note: `query ${name}=${junk.slice(0, 40)}`,
    }));
  const raw = fc
    .constantFrom(
      'limit=1&limit=2',
      'limit[]=1',
      'limit[a]=1',
      'status=pending&status=failed',
      '%',
      '%%%',
      'limit=%ZZ',
      'cursor=%C0%80',
      'cursor=%ED%A0%80',
      '&&&=&=',
      '=',
      '__proto__[x]=1',
      'constructor[prototype][x]=1',
      'a'.repeat(9000),
      `cursor=${'A'.repeat(513)}`,
    )
    .map((value) => ({ value, valid: false, note: `query raw ${value.slice(0, 40)}` }));
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 3, arbitrary: oneWrong }, { weight: 1, arbitrary: raw });
}

function bodyPart(doc: OpenApiDocument, op: ApiOperation, hints: FuzzHints): fc.Arbitrary<Part<string | undefined>> {
  if (op.body === null) {
    // No body documented: none, or something a caller might send anyway.
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant({ value: undefined, valid: true }) },
      { weight: 1, arbitrary: fc.constantFrom('{}', 'null', '[]', '{"reason":"x"}', 'not json', '{').map((value) => ({ value, valid: false, note: `body ${value}` })) },
    );
  }
  const valid = validValue(doc, op.body.schema, 'body', hints, op);
  const rawJunk = fc.oneof(
    fc.constantFrom(
      '',
      ' ',
      'null',
      'true',
      '0',
      '"text"',
      '[]',
      '{}',
      '{',
      '{"regulation":',
      '{"regulation":"gdpr",}',
      "{'regulation':'gdpr'}",
      '{"__proto__":{"admin":true},"regulation":"gdpr","targets":[]}',
      '{"constructor":{"prototype":{"admin":true}}}',
      'NaN',
      '\u0000',
      'regulation=gdpr&targets=all',
    ),
    fc.integer({ min: 1000, max: 200_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
    fc.integer({ min: 1000, max: 50_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
    fc.integer({ min: 1_100_000, max: 1_300_000 }).map((n) => `{"externalRef":"${'x'.repeat(n)}"}`),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );
  return fc.oneof(
    { weight: 4, arbitrary: valid.map((v) => ({ value: toJsonText(v), valid: true })) },
    {
      weight: 5,
      arbitrary: mutated(valid).map(({ value, mutations }) => ({ value: toJsonText(value), valid: false, note: `body: ${mutations.join(', ')}` })),
    },
    {
      weight: 1,
      // The same body with a BOM, trailing garbage, a duplicate key, or a trailing newline.
      arbitrary: valid.chain((v) => {
        const text = toJsonText(v);
        return fc.constantFrom<Part<string | undefined>>(
          { value: `\ufeff${text}`, valid: false, note: 'body: BOM' },
          { value: `${text} trailing`, valid: false, note: 'body: trailing garbage' },
          { value: text.replace(/^\{/, '{"regulation":"other",'), valid: false, note: 'body: duplicate key' },
          { value: `${text}\n`, valid: true },
        );
      }),
    },
    { weight: 1, arbitrary: rawJunk.map((value) => ({ value, valid: false, note: `body raw: ${JSON.stringify(value.slice(0, 40))}` })) },
  );
}

function contentTypePart(op: ApiOperation, hasBody: boolean): fc.Arbitrary<Part<string | undefined>> {
  if (!hasBody) {
    return fc.oneof(
      { weight: 4, arbitrary: fc.constant({ value: undefined, valid: true }) },
      // A content type without a body is odd (a JSON one is an empty JSON body): no success required.
      { weight: 1, arbitrary: fc.constantFrom(...JSON_CONTENT_TYPES, ...OTHER_CONTENT_TYPES).map((value) => ({ value, valid: false, note: `content-type without body: ${value}` })) },
    );
  }
  const json = op.body === null || op.body.mediaTypes.includes('application/json') ? JSON_CONTENT_TYPES : op.body.mediaTypes;
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...json).map((value) => ({ value, valid: true })) },
    { weight: 2, arbitrary: fc.constantFrom(...OTHER_CONTENT_TYPES).map((value) => ({ value, valid: false, note: `content-type: ${value}` })) },
    { weight: 1, arbitrary: fc.constant({ value: undefined, valid: false, note: 'content-type: none' }) },
    { weight: 1, arbitrary: headerJunk.map((value) => ({ value, valid: false, note: `content-type: ${value.slice(0, 40)}` })) },
  );
}

function headerParamPart(doc: OpenApiDocument, op: ApiOperation, p: Parameter, hints: FuzzHints): fc.Arbitrary<Part<string | undefined>> {
  const isIdempotencyKey = p.name.toLowerCase() === 'idempotency-key';
  const valid = validValue(doc, p.schema, `header.${p.name}`, hints, op).map((v) => String(v));
  const shared = hints.sharedIdempotencyKeys ?? [];
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({ value: undefined, valid: !p.required }) },
    // A fresh key each time: valid, and never a replay of another body.
    { weight: 3, arbitrary: valid.map((v) => ({ value: isIdempotencyKey ? `${v.slice(0, 200)}-${randomUUID()}` : v, valid: true })) },
    ...(isIdempotencyKey && shared.length > 0
      ? [{ weight: 2, arbitrary: fc.constantFrom(...shared).map((value) => ({ value, valid: false, note: `${p.name}: shared ${value}` })) }]
      : []),
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.constantFrom('', ' ', '\t', 'é', 'ключ', '"quoted"', 'a,b', 'k'.repeat(256)), headerJunk)
        .map((value) => ({ value: headerSafe(value), valid: false, note: `${p.name}: ${JSON.stringify(value.slice(0, 40))}` })),
    },
  );
}

const extraHeaders = fc.dictionary(
  fc.constantFrom('x-request-id', 'x-forwarded-for', 'x-forwarded-proto', 'content-encoding', 'accept-encoding', 'accept-charset', 'if-none-match', 'cookie', 'origin', 'x-http-method-override', 'range', 'prefer'),
  fc.oneof(fc.constantFrom('gzip', 'br', 'deflate', 'identity', '*', 'DELETE', 'bytes=0-1', 'return=minimal', '1.2.3.4, 10.0.0.1', 'null'), headerJunk),
  { maxKeys: 2, noNullPrototype: true },
);

/** Arbitrary requests for one operation of the document. */
export function requestsFor(doc: OpenApiDocument, op: ApiOperation, hints: FuzzHints): fc.Arbitrary<GeneratedRequest> {
  const pathParts = fc.tuple(...op.pathParams.map((p) => pathValuePart(doc, op, p, hints).map((part) => [p.name, part] as const)));
  const headerParams = fc.tuple(...op.headers.map((p) => headerParamPart(doc, op, p, hints).map((part) => [p.name, part] as const)));
  return fc
    .record({
      path: pathParts,
      query: queryPart(doc, op, hints),
      auth: authorizationPart(op, hints),
      accept: acceptPart(op),
      body: bodyPart(doc, op, hints),
      headerParams,
      extra: fc.option(extraHeaders, { freq: 4, nil: undefined }),
    })
    .chain((parts) => contentTypePart(op, parts.body.value !== undefined).map((contentType) => ({ ...parts, contentType })))
    .map((parts): GeneratedRequest => {
      let path = op.path;
      for (const [name, part] of parts.path) path = path.replace(`{${name}}`, part.value);
      const headers: Record<string, string> = {};
      // Extra headers first: the parts under test win over them.
      for (const [k, v] of Object.entries(parts.extra ?? {})) if (k !== 'content-encoding' || parts.body.value !== undefined) headers[k] = v;
      if (parts.auth.value !== undefined) headers.authorization = parts.auth.value;
      if (parts.accept.value !== undefined) headers.accept = parts.accept.value;
      if (parts.contentType.value !== undefined) headers['content-type'] = parts.contentType.value;
      for (const [name, part] of parts.headerParams) if (part.value !== undefined) headers[name] = part.value;
      const all: Part<unknown>[] = [...parts.path.map(([, p]) => p), parts.query, parts.auth, parts.accept, parts.body, parts.contentType, ...parts.headerParams.map(([, p]) => p)];
      const extraIsHarmless = parts.extra === undefined || (!('content-encoding' in parts.extra) && !('x-http-method-override' in parts.extra));
      return withDescription({
        operationId: op.operationId,
        method: op.method,
        url: parts.query.value === '' ? path : `${path}?${parts.query.value}`,
        headers,
        ...(parts.body.value === undefined ? {} : { payload: parts.body.value }),
        expectSuccess: all.every((p) => p.valid) && extraIsHarmless,
        notes: [
          ...all.flatMap((p) => (p.note === undefined ? [] : [p.note])),
          ...Object.keys(parts.extra ?? {}).map((k) => `header ${k}: ${(parts.extra as Record<string, string>)[k]!.slice(0, 40)}`),
        ],
      });
    });
}

/** Requests to paths the document does not have, and to its paths with methods it does not list. */
export function strayRequests(operations: readonly ApiOperation[], hints: FuzzHints): fc.Arbitrary<GeneratedRequest> {
  const paths = [...new Set(operations.map((o) => o.path))];
  const methodsOf = (path: string) => new Set(operations.filter((o) => o.path === path).map((o) => o.method));
  const fill = (path: string) => path.replace(/\{[^}]+\}/g, () => randomUUID());
  const otherMethod = fc
    .tuple(fc.constantFrom(...paths), fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'))
    .filter(([path, method]) => !methodsOf(path).has(method))
    .map(([path, method]) => ({ method, url: fill(path), note: `${method} on ${path}`, expectStatus: 405 as number | undefined }));
  const otherPath = fc
    .oneof(
      fc.constantFrom(
        '/',
        '/v1',
        '/v2/erasure-requests',
        '/v1/erasure-requests/',
        '//v1/erasure-requests',
        '/V1/ERASURE-REQUESTS',
        '/v1/erasure-requests/x/y/z',
        '/v1/erasure-requests/%',
        '/v1/erasure-requests/%ZZ/tasks',
        '/v1/erasure-requests/..%2F..%2Fhealthz',
        '/docs/../openapi.json',
        '/openapi.json',
        '/docs',
        '/docs/json',
        '/.well-known/',
        '/metrics?x=%',
        '/healthz/',
        '/readyz?%',
      ),
      fc.webPath().map((p) => (p.startsWith('/') ? p : `/${p}`)),
      fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => `/v1/${uriEncode(s)}`),
    )
    .map((url) => ({ method: 'GET', url, note: `path ${url.slice(0, 60)}`, expectStatus: undefined as number | undefined }));
  const anyKey = hints.keys[0]?.token ?? 'key';
  return fc
    .tuple(fc.oneof(otherMethod, otherPath), fc.boolean(), fc.option(fc.constantFrom('{}', 'null', '{"regulation":"gdpr"}'), { nil: undefined }))
    .map(([r, auth, payload]) =>
      withDescription({
      operationId: 'stray',
      method: r.method,
      url: r.url,
      headers: {
        ...(auth ? { authorization: `Bearer ${anyKey}` } : {}),
        ...(payload === undefined || r.method === 'GET' ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined || r.method === 'GET' ? {} : { payload }),
      expectSuccess: false,
      notes: [r.note],
      ...(r.expectStatus === undefined ? {} : { expectStatus: r.expectStatus }),
    }),
    );
}

/** fast-check prints a counterexample with this, not the whole (possibly megabyte) body. */
function withDescription(r: GeneratedRequest): GeneratedRequest {
  Object.defineProperty(r, fc.toStringMethod, { value: () => describeRequest(r), enumerable: false });
  return r;
}

/** A short description of a generated request for failure reports (bodies can be megabytes). */
export function describeRequest(r: GeneratedRequest): string {
  const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, short(v, 80)]));
  return `${r.method} ${short(r.url, 200)} headers=${JSON.stringify(headers)}${r.payload === undefined ? '' : ` body=${JSON.stringify(short(r.payload, 400))}`} expectSuccess=${r.expectSuccess} notes=${JSON.stringify(r.notes)}`;
}
