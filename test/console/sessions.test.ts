// Console sign-in, sessions and the rules around them, through HTTP as a browser would send it: the
// cookie's flags, CSRF and cross-site refusals, expiry, sign-out, keys removed from the configuration,
// the scopes each page needs, and no API key in any answer or log line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_CSP } from '../../src/console/security-headers.ts';
import { consoleCsrfToken } from '../../src/services/console-sessions.ts';
import { seedRequest } from '../audit/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildTestApp, KEYS, testConfig, type TestApp } from '../http/harness.ts';

let database: TestDatabase;
let t: TestApp;

beforeAll(async () => {
  database = await createTestDatabase();
  t = await buildTestApp(database, { captureLogs: true });
});
afterAll(async () => {
  await t?.close();
  await database?.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function signIn(app: TestApp, key: string, extra: Record<string, string> = {}) {
  return app.app.inject({ method: 'POST', url: '/console/sign-in', headers: { ...FORM, ...extra }, payload: new URLSearchParams({ apiKey: key }).toString() });
}

function cookieOf(response: { headers: Record<string, unknown> }): string {
  const header = String(response.headers['set-cookie'] ?? '');
  const m = /^eg_console_session=([^;]+)/.exec(header);
  if (m === null) throw new Error(`no session cookie in ${header}`);
  return m[1]!;
}

const withCookie = (token: string) => ({ cookie: `eg_console_session=${token}` });

describe('signing in', () => {
  it('sends a visitor without a session to the sign-in page, which comes back to where they were going', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/console/requests?status=failed' });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/console/sign-in?next=%2Fconsole%2Frequests%3Fstatus%3Dfailed');
    const form = await t.app.inject({ method: 'GET', url: page.headers.location as string });
    expect(form.statusCode).toBe(200);
    expect(form.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(form.body).toContain('<label for="api-key">API key</label>');
    expect(form.body).toContain('name="next" value="/console/requests?status=failed"');
  });

  it('refuses a wrong key (401) and a key that cannot read (403), never echoing the key', async () => {
    const wrong = await signIn(t, 'egk_not_a_configured_key_0000000');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That API key is not valid.');
    expect(wrong.body).not.toContain('egk_not_a_configured_key_0000000');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const writeOnly = await signIn(t, KEYS.writeOnly);
    expect(writeOnly.statusCode).toBe(403);
    expect(writeOnly.body).toContain('cannot read requests');
    expect(writeOnly.body).not.toContain(KEYS.writeOnly);
    const empty = await signIn(t, '   ');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter an API key.');
  });

  it('exchanges a reading key for a session: an HttpOnly, SameSite=Strict cookie on /console, its hash in Postgres', async () => {
    const answer = await signIn(t, `  ${KEYS.auditor}\n`);
    expect(answer.statusCode).toBe(303);
    expect(answer.headers.location).toBe('/console/');
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/^eg_console_session=[A-Za-z0-9_-]{43}; Path=\/console; Max-Age=28800; HttpOnly; SameSite=Strict$/);
    const token = cookieOf(answer);
    const rows = await database.db.selectFrom('console_session').selectAll().execute();
    const row = rows.find((r) => r.key_name === 'auditors');
    expect(row).toMatchObject({ key_name: 'auditors', scopes: ['audit:read'] });
    expect(row!.expires_at.toISOString()).toBe('2026-03-10T20:00:00.000Z');
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(JSON.stringify(rows)).not.toContain(KEYS.auditor);

    const overview = await t.app.inject({ method: 'GET', url: '/console/', headers: withCookie(token) });
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('<h1>Overview</h1>');
    expect(overview.body).toContain('Signed in as <strong>auditors</strong>');
    // Signed in already: the sign-in page moves on.
    expect((await t.app.inject({ method: 'GET', url: '/console/sign-in', headers: withCookie(token) })).headers.location).toBe('/console/');
  });

  it('marks the cookie Secure when the request came over https through a trusted proxy', async () => {
    const proxied = await buildTestApp(database, { config: testConfig({ http: { trustProxy: true } }) });
    try {
      const answer = await signIn(proxied, KEYS.reader, { 'x-forwarded-proto': 'https' });
      expect(String(answer.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
      // Without trustProxy the header is not believed.
      expect(String((await signIn(t, KEYS.reader, { 'x-forwarded-proto': 'https' })).headers['set-cookie'])).not.toContain('Secure');
    } finally {
      await proxied.close();
    }
  });

  it('goes back to the page asked for, and never to another site', async () => {
    const payload = (next: string) => new URLSearchParams({ apiKey: KEYS.reader, next }).toString();
    const back = await t.app.inject({ method: 'POST', url: '/console/sign-in', headers: FORM, payload: payload('/console/requests?status=failed') });
    expect(back.headers.location).toBe('/console/requests?status=failed');
    for (const next of ['https://evil.example/', '//evil.example/console/', '/console//evil.example', '/v1/erasure-requests', 'javascript:alert(1)']) {
      const away = await t.app.inject({ method: 'POST', url: '/console/sign-in', headers: FORM, payload: payload(next) });
      expect(away.headers.location, next).toBe('/console/');
    }
  });
});

describe('cross-site requests', () => {
  it('refuses a form posted from another site, sign-in included', async () => {
    const forged = await signIn(t, KEYS.auditor, { origin: 'https://evil.example' });
    expect(forged.statusCode).toBe(403);
    expect(forged.headers['set-cookie']).toBeUndefined();
    const crossSite = await signIn(t, KEYS.auditor, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.statusCode).toBe(403);
    expect(crossSite.body).toContain('sent from another site');
    const sameOrigin = await signIn(t, KEYS.auditor, { origin: 'http://localhost:80', host: 'localhost:80', 'sec-fetch-site': 'same-origin' });
    expect(sameOrigin.statusCode).toBe(303);
  });

  it('refuses a sign-out without the session’s CSRF token, and performs it with the token', async () => {
    const token = cookieOf(await signIn(t, KEYS.auditor));
    const noToken = await t.app.inject({ method: 'POST', url: '/console/sign-out', headers: { ...FORM, ...withCookie(token) }, payload: '' });
    expect(noToken.statusCode).toBe(403);
    const otherSession = cookieOf(await signIn(t, KEYS.auditor));
    const wrongToken = await t.app.inject({
      method: 'POST',
      url: '/console/sign-out',
      headers: { ...FORM, ...withCookie(token) },
      payload: `_csrf=${consoleCsrfToken(otherSession)}`,
    });
    expect(wrongToken.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/console/', headers: withCookie(token) })).statusCode).toBe(200);

    const page = await t.app.inject({ method: 'GET', url: '/console/', headers: withCookie(token) });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    expect(csrf).toBe(consoleCsrfToken(token));
    const out = await t.app.inject({ method: 'POST', url: '/console/sign-out', headers: { ...FORM, ...withCookie(token) }, payload: `_csrf=${csrf}` });
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/sign-in');
    expect(String(out.headers['set-cookie'])).toMatch(/^eg_console_session=; Path=\/console; Max-Age=0; HttpOnly; SameSite=Strict$/);
    // The session is gone from the database: the old cookie opens nothing.
    const after = await t.app.inject({ method: 'GET', url: '/console/', headers: withCookie(token) });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/console/sign-in?next=%2Fconsole%2F');
  });
});

describe('session lifetime', () => {
  it('refuses an expired session and deletes it; sign-ins clean up the other expired ones', async () => {
    const clockApp = await buildTestApp(database, { now: '2026-04-01T08:00:00.000Z' });
    try {
      const token = cookieOf(await signIn(clockApp, KEYS.reader));
      const other = cookieOf(await signIn(clockApp, KEYS.reader));
      clockApp.clock.advance(8 * 3_600_000 - 1000);
      expect((await clockApp.app.inject({ method: 'GET', url: '/console/', headers: withCookie(token) })).statusCode).toBe(200);
      clockApp.clock.advance(1000);
      const expired = await clockApp.app.inject({ method: 'GET', url: '/console/', headers: withCookie(token) });
      expect(expired.statusCode).toBe(303);
      expect(String(expired.headers['set-cookie'])).toContain('Max-Age=0');
      const left = await database.db.selectFrom('console_session').select('expires_at').where('expires_at', '<=', clockApp.clock.now()).execute();
      expect(left).toHaveLength(1); // `other`, not visited since it expired
      await signIn(clockApp, KEYS.reader);
      expect(await database.db.selectFrom('console_session').select('token_hash').where('expires_at', '<=', clockApp.clock.now()).execute()).toEqual([]);
      expect((await clockApp.app.inject({ method: 'GET', url: '/console/', headers: withCookie(other) })).statusCode).toBe(303);
    } finally {
      await clockApp.close();
    }
  });

  it('ends a session whose key was removed from the configuration', async () => {
    const token = cookieOf(await signIn(t, KEYS.auditor));
    const file = testConfig();
    const withoutAuditors = testConfig({ apiKeys: file.file.apiKeys.filter((k) => k.name !== 'auditors') });
    const restarted = await buildTestApp(database, { config: withoutAuditors });
    try {
      expect((await restarted.app.inject({ method: 'GET', url: '/console/', headers: withCookie(token) })).statusCode).toBe(303);
    } finally {
      await restarted.close();
    }
  });
});

describe('what each key sees', () => {
  it('shows an erasure:read key the request and its tasks, but not the trail or the evidence (audit:read, as in the API)', async () => {
    const { id } = await seedRequest(database.db, { externalRef: 'SCOPE-1', tasks: [{ state: 'succeeded' }] });
    const reader = cookieOf(await signIn(t, KEYS.reader));
    const page = await t.app.inject({ method: 'GET', url: `/console/requests/${id}`, headers: withCookie(reader) });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('SCOPE-1');
    expect(page.body).toContain('need the scope <code>audit:read</code>');
    expect(page.body).not.toContain('Chain verified');
    const evidence = await t.app.inject({ method: 'GET', url: `/console/requests/${id}/evidence.jws`, headers: withCookie(reader) });
    expect(evidence.statusCode).toBe(403);
    expect(evidence.headers['content-type']).toBe('text/html; charset=utf-8');

    const auditor = cookieOf(await signIn(t, KEYS.auditor));
    const full = await t.app.inject({ method: 'GET', url: `/console/requests/${id}`, headers: withCookie(auditor) });
    expect(full.body).toContain('<strong>Chain verified</strong>: 1 events');
    const jws = await t.app.inject({ method: 'GET', url: `/console/requests/${id}/evidence.jws`, headers: withCookie(auditor) });
    expect(jws.statusCode).toBe(200);
    expect(jws.headers['content-disposition']).toBe(`attachment; filename="evidence-${id}.jws"`);
    expect(jws.body.split('.')).toHaveLength(3);
  });

  it('answers bad input with 4xx pages: unknown or malformed ids, invalid filters and cursors', async () => {
    const token = cookieOf(await signIn(t, KEYS.auditor));
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: withCookie(token) });
    const unknown = await get('/console/requests/00000000-0000-4000-8000-000000000000');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('No erasure request with id 00000000-0000-4000-8000-000000000000.');
    expect((await get('/console/requests/not-a-uuid')).statusCode).toBe(404);
    expect((await get('/console/nowhere')).statusCode).toBe(404);
    const badFilter = await get('/console/requests?status=done&createdFrom=yesterday');
    expect(badFilter.statusCode).toBe(400);
    expect(badFilter.body).toContain('These filters are not valid');
    expect(badFilter.body).toContain('value="yesterday"');
    expect((await get('/console/requests?createdFrom=2026-03-10&createdUntil=2026-03-01')).statusCode).toBe(400);
    expect((await get('/console/requests?cursor=garbage')).statusCode).toBe(400);
    expect((await get('/console/requests.csv?overdue=maybe')).statusCode).toBe(400);
    const tooBig = await t.app.inject({ method: 'POST', url: '/console/sign-in', headers: FORM, payload: `apiKey=${'a'.repeat(20_000)}` });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.headers['content-type']).toBe('text/html; charset=utf-8');
  });
});

describe('every console answer', () => {
  it('carries a strict CSP and the security headers, errors and redirects included', async () => {
    const token = cookieOf(await signIn(t, KEYS.auditor));
    for (const [url, headers] of [
      ['/console/sign-in', {}],
      ['/console/', {}],
      ['/console/', withCookie(token)],
      ['/console/nowhere', withCookie(token)],
      ['/console/assets/console.css', {}],
    ] as const) {
      const answer = await t.app.inject({ method: 'GET', url, headers });
      expect(answer.headers['content-security-policy'], url).toBe(CONSOLE_CSP);
      expect(answer.headers['x-content-type-options'], url).toBe('nosniff');
      expect(answer.headers['referrer-policy'], url).toBe('same-origin');
      expect(answer.headers['x-frame-options'], url).toBe('DENY');
    }
    expect(CONSOLE_CSP).toContain("default-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toContain('unsafe');
  });

  it('leaves the API as it was: forms still 415 there, and no console route in the OpenAPI document', async () => {
    const form = await t.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: { ...FORM, authorization: `Bearer ${KEYS.writer}` }, payload: 'a=b' });
    expect(form.statusCode).toBe(415);
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/console'))).toEqual([]);
  });

  it('never logs an API key or a session token', () => {
    const logs = t.logs();
    expect(logs).toContain('console session opened');
    for (const secret of Object.values(KEYS)) expect(logs).not.toContain(secret);
    expect(logs).not.toMatch(/eg_console_session=[A-Za-z0-9_-]{20}/);
  });
});
