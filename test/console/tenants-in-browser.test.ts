// The console's tenant rules and operator action in a real browser (Debian's Chromium through
// playwright-core), on two privacy portals' requests (tenants portal-a and portal-b, distinct
// externalRefs): what portal-a's auditor sees — overview counts, list, CSV export, request page and
// evidence — holds nothing of portal-b, whose request ids answer "not found" like an unknown id; the
// auditors who read every tenant see a Tenant column; an operator of portal-a re-drives a failed
// request with the keyboard only, through the confirmation page, and the trail names its key; forms
// without the session's CSRF token, without erasure:operate, or on portal-b's request change nothing;
// and the overview's connection health panel shows each connection's last check, hold, pause and budget.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import type { GatewayConfig } from '../../src/config.ts';
import { recordConnectionCheck } from '../../src/db/connection-checks.ts';
import { sha256Hex } from '../../src/http/api-keys.ts';
import { seedRequest } from '../audit/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../http/harness.ts';
import { TENANT_A, TENANT_B, TENANT_KEYS, tenantsConfig } from '../tenancy/tenants.ts';
import { chromiumMissing, launchChromium, shot, shown, signIn, textOf } from './browser.ts';

const A_AUDITOR_KEY = 'egk_portal_a_auditor_browser_0123456789';
const A_OPERATOR_KEY = 'egk_portal_a_operator_browser_012345678';

let db: TestDatabase;
let api: TestApp;
let browser: Browser;
let baseUrl: string;
let startedAt: number;
const urls: string[] = [];
const ids: Record<string, string> = {};
const A_REFS = ['A-DONE', 'A-OPEN', 'A-FAILED'];
const B_REFS = ['B-DONE', 'B-FAILED', 'B-OVERDUE'];

function config(): GatewayConfig {
  return tenantsConfig({}, {
    logLevel: 'trace',
    extraKeys: [
      { name: 'portal-a-auditor', sha256: sha256Hex(A_AUDITOR_KEY), scopes: ['audit:read'], tenant: TENANT_A },
      { name: 'portal-a-operator', sha256: sha256Hex(A_OPERATOR_KEY), scopes: ['erasure:read', 'audit:read', 'erasure:operate'], tenant: TENANT_A },
    ],
  });
}

async function newContext(viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  context.on('request', (r) => urls.push(r.url()));
  return context;
}

/** A signed-in page of its own (its own cookies), closed by the caller's `finally`. */
async function signedIn(key: string, viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(viewport);
  const page = await context.newPage();
  await signIn(page, baseUrl, key);
  return { context, page };
}

async function bodyText(page: Page): Promise<string> {
  return page.locator('body').innerText();
}

async function statusOf(id: string): Promise<string> {
  const row = await db.db.selectFrom('erasure_request').select('status').where('id', '=', id).executeTakeFirstOrThrow();
  return row.status;
}

describe.skipIf(chromiumMissing)('tenants and operator actions in the console, in Chromium (skipped without /usr/bin/chromium outside CI)', () => {
  beforeAll(async () => {
    startedAt = Date.now();
    db = await createTestDatabase();
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000);
    const failedTask = (connection: string) => ({
      type: connection === 'cartesia-prod' ? ('cartesia.call' as const) : ('koreai.recording' as const),
      connection,
      state: 'failed' as const,
      attempts: 5,
      finishedAt: ago(30),
      lastError: { kind: 'upstream', status: 500, code: 'internal_error', message: 'upstream said no' },
    });
    const seeds = [
      { ref: 'A-DONE', tenant: TENANT_A, status: 'completed', completedAt: ago(50), tasks: [{ state: 'succeeded' as const, finishedAt: ago(50) }] },
      { ref: 'A-OPEN', tenant: TENANT_A, status: 'in_progress', tasks: [{ state: 'pending' as const }] },
      { ref: 'A-FAILED', tenant: TENANT_A, status: 'failed', completedAt: ago(30), tasks: [{ state: 'succeeded' as const, finishedAt: ago(40) }, failedTask('cartesia-prod')] },
      { ref: 'B-DONE', tenant: TENANT_B, status: 'completed', completedAt: ago(50), tasks: [{ state: 'succeeded' as const, finishedAt: ago(50) }] },
      { ref: 'B-FAILED', tenant: TENANT_B, status: 'failed', completedAt: ago(30), tasks: [failedTask('kore-support')] },
      { ref: 'B-OVERDUE', tenant: TENANT_B, status: 'failed', completedAt: ago(30), dueAt: ago(10), tasks: [failedTask('kore-support')] },
    ] as const;
    for (const [i, s] of seeds.entries()) {
      const seeded = await seedRequest(db.db, {
        externalRef: s.ref,
        tenant: s.tenant,
        status: s.status,
        createdAt: ago(120 - i),
        completedAt: 'completedAt' in s ? s.completedAt : null,
        ...('dueAt' in s ? { dueAt: s.dueAt } : {}),
        tasks: [...s.tasks],
      });
      ids[s.ref] = seeded.id;
    }
    // Connection health: one connection fine and busy, one held by its last check, one paused.
    await recordConnectionCheck(db.db, { connection: 'kore-support', type: 'koreai', result: 'ok', httpStatus: 404, code: 'not_found', latencyMs: 120, checkedAt: ago(3).toISOString(), checkedBy: 'worker:w1' });
    await recordConnectionCheck(db.db, { connection: 'kore-sales', type: 'koreai', result: 'auth_failed', httpStatus: 401, code: 'invalid_token', latencyMs: 80, checkedAt: ago(2).toISOString(), checkedBy: 'api-key:portal-a-admin' });
    await recordConnectionCheck(db.db, { connection: 'cartesia-prod', type: 'cartesia', result: 'unreachable', httpStatus: 503, code: 'unavailable', latencyMs: 900, checkedAt: ago(1).toISOString(), checkedBy: 'worker:w1' });
    // kore-support: three calls finished 10 s ago and one in flight: four count in both windows.
    for (let k = 0; k < 3; k++) {
      await sql`insert into pacing_permit (connection, task_id, holder, started_at, finished_at, expires_at)
        values ('kore-support', null, 'w1', clock_timestamp() - interval '11 seconds', clock_timestamp() - interval '10 seconds', clock_timestamp() + interval '5 minutes')`.execute(db.db);
    }
    await sql`insert into pacing_permit (connection, task_id, holder, started_at, finished_at, expires_at)
      values ('kore-support', null, 'w1', clock_timestamp(), null, clock_timestamp() + interval '5 minutes')`.execute(db.db);
    await sql`insert into connection_pacing (connection, paused_until, reason, updated_at)
      values ('cartesia-prod', clock_timestamp() + interval '1 hour', 'rate_limited', clock_timestamp())`.execute(db.db);

    api = await buildTestApp(db, { config: config(), clock: systemClock, captureLogs: true });
    baseUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await db?.close();
    console.log(`[console browser suite] tenants: ${((Date.now() - startedAt) / 1000).toFixed(1)} s (setup, browser and every test)`);
  });

  it("shows portal-a's auditor portal-a's counts, list and CSV only, and no Tenant column", async () => {
    const { context, page } = await signedIn(A_AUDITOR_KEY);
    try {
      expect(await shown(page.getByText('3 requests in all · tenant portal-a'))).toBe(true);
      for (const tile of ['1 completed', '1 in progress', '1 failed', '0 pending', '0 cancelled', '0 overdue']) {
        expect(await shown(page.getByRole('link', { name: tile, exact: true })), tile).toBe(true);
      }
      const failed = page.getByRole('region', { name: 'Failed tasks by connection' });
      expect(await failed.getByRole('row').allInnerTexts()).toEqual(['Connection\tFailed tasks', 'cartesia-prod\t1']);
      const overview = await bodyText(page);

      await page.getByRole('link', { name: 'Requests', exact: true }).click();
      expect(await shown(page.getByText('3 requests on this page, newest first.'))).toBe(true);
      const refs = await page.getByRole('region', { name: 'Requests' }).getByRole('rowheader').allInnerTexts();
      expect(refs.sort()).toEqual([...A_REFS].sort());
      expect(await page.getByRole('columnheader', { name: 'Tenant' }).count()).toBe(0);
      const list = await bodyText(page);

      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Export CSV' }).click();
      const csv = readFileSync(await (await download).path(), 'utf8').trim().split('\r\n');
      expect(csv).toHaveLength(4);
      expect(csv.slice(1).map((line) => line.split(',').slice(1, 3).join(',')).sort()).toEqual(A_REFS.map((r) => `${TENANT_A},${r}`).sort());

      for (const text of [overview, list, csv.join('\n')]) {
        for (const ref of B_REFS) expect(text).not.toContain(ref);
        for (const ref of B_REFS) expect(text).not.toContain(ids[ref]);
        expect(text).not.toContain(TENANT_B);
      }
    } finally {
      await context.close();
    }
  });

  it("answers portal-a's auditor on portal-b's request page and evidence exactly as for an unknown id, and offers no action", async () => {
    const { context, page } = await signedIn(A_AUDITOR_KEY);
    try {
      const seen = async (path: string) => {
        const answer = await page.goto(`${baseUrl}${path}`);
        return { status: answer?.status(), heading: await textOf(page.getByRole('heading', { level: 1 })), detail: await textOf(page.locator('.error p').first()) };
      };
      const unknown = randomUUID();
      for (const suffix of ['', '/evidence.jws']) {
        const other = await seen(`/console/requests/${ids['B-FAILED']}${suffix}`);
        const none = await seen(`/console/requests/${unknown}${suffix}`);
        expect(other).toEqual({ status: 404, heading: 'Not found', detail: `No erasure request with id ${ids['B-FAILED']}.` });
        expect({ ...none, detail: none.detail.replace(unknown, ids['B-FAILED']!) }).toEqual(other);
      }

      // Its own failed request: the trail and the evidence, and no button but sign-out (no erasure:operate).
      await page.goto(`${baseUrl}/console/requests/${ids['A-FAILED']}`);
      expect(await shown(page.getByText('Chain verified'))).toBe(true);
      expect(await page.getByRole('heading', { name: 'Operator actions' }).count()).toBe(0);
      expect(await page.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
      expect(await page.getByText('Tenant', { exact: true }).count()).toBe(0);
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: 'Download evidence' }).click();
      expect((await download).suggestedFilename()).toBe(`evidence-${ids['A-FAILED']}.jws`);
    } finally {
      await context.close();
    }
  });

  it('shows the auditors who read every tenant both portals, with a Tenant column and the tenant on the request page', async () => {
    const { context, page } = await signedIn(TENANT_KEYS.auditor);
    try {
      expect(await shown(page.getByText('6 requests in all · every tenant'))).toBe(true);
      await page.getByRole('link', { name: 'Requests', exact: true }).click();
      expect(await shown(page.getByRole('columnheader', { name: 'Tenant' }))).toBe(true);
      const rows = page.getByRole('region', { name: 'Requests' }).getByRole('row');
      expect(await textOf(rows.filter({ hasText: 'B-OVERDUE' }))).toMatch(/^B-OVERDUE\tportal-b\tfailed overdue/);
      expect(await textOf(rows.filter({ hasText: 'A-OPEN' }))).toMatch(/^A-OPEN\tportal-a\tin progress/);
      await shot(page, 'requests-all-tenants');
      await page.getByRole('link', { name: 'B-FAILED' }).click();
      expect(await textOf(page.locator('.facts div').filter({ hasText: 'Tenant' }))).toBe('Tenant\nportal-b');
      // Reads every tenant, changes none it does not own: no action on portal-b's request.
      expect(await page.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
    } finally {
      await context.close();
    }
  });

  it("lets portal-a's operator re-drive its failed request with the keyboard only, confirming first; the trail names the key and the reason", async () => {
    const { context, page } = await signedIn(A_OPERATOR_KEY);
    try {
      await page.goto(`${baseUrl}/console/requests/${ids['A-FAILED']}`);
      const actions = page.getByRole('region', { name: 'Operator actions' });
      expect(await textOf(actions.getByRole('form', { name: 'Re-drive failed tasks' }))).toContain('The failed task starts over from its first phase');
      const reason = page.getByLabel('Reason (kept in the audit trail)');
      expect(await reason.inputValue()).toBe('');
      await shot(page, 'operator-form');

      // Keyboard only: into the reason, pick the first one, on to the button, send; then confirm.
      await reason.focus();
      await page.keyboard.press('ArrowDown');
      expect(await reason.inputValue()).toBe('upstream_recovered');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Re-drive failed tasks…');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Confirm: re-drive failed tasks', level: 1 }).waitFor();
      expect(await textOf(page.locator('.facts'))).toContain('The vendor has recovered from an outage');
      expect(await textOf(page.locator('.facts'))).toContain('api-key:portal-a-operator');
      expect(await statusOf(ids['A-FAILED']!)).toBe('failed'); // nothing changed before the confirmation
      await shot(page, 'operator-confirm');
      expect(await page.evaluate('document.activeElement.textContent')).toBe('Confirm: re-drive failed tasks');
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { name: 'A-FAILED', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/console/requests/${ids['A-FAILED']}`);
      const notice = await textOf(page.getByRole('status').filter({ hasText: 'Re-drove' }));
      const status = await statusOf(ids['A-FAILED']!);
      expect(status).not.toBe('failed');
      expect(notice).toBe(`Re-drove 1 failed task; the request is now ${status.replace('_', ' ')}.`);
      const retried = page.getByRole('listitem').filter({ hasText: 'request.retried' });
      expect(await textOf(retried)).toContain('api-key:portal-a-operator');
      const event = await db.db.selectFrom('request_event').select(['actor', 'data']).where('request_id', '=', ids['A-FAILED']!).where('type', '=', 'request.retried').executeTakeFirstOrThrow();
      expect(event).toMatchObject({ actor: 'api-key:portal-a-operator', data: { retriedTasks: 1, statusBefore: 'failed', reason: 'upstream_recovered' } });
      // Shown once: a reload has no notice; the request no longer has a failed task, so no re-drive form
      // either (it is open again, so its deadline may still be extended).
      await page.reload();
      expect(await page.getByText('Re-drove').count()).toBe(0);
      expect(await page.getByRole('form', { name: 'Re-drive failed tasks' }).count()).toBe(0);
      expect(await page.getByRole('form', { name: 'Extend the deadline' }).count()).toBe(1);
    } finally {
      await context.close();
    }
  });

  it('refuses a form without the session’s CSRF token or with a wrong one (403), from a key without erasure:operate (403), on another tenant’s request (404)', async () => {
    const operator = await signedIn(A_OPERATOR_KEY);
    const auditor = await signedIn(A_AUDITOR_KEY);
    try {
      const csrfOf = (page: Page) => page.locator('input[name="_csrf"]').first().inputValue();
      const token = await csrfOf(operator.page);
      const post = (page: Page, id: string, form: Record<string, string>) =>
        page.request.post(`${baseUrl}/console/requests/${id}/retry`, { form, headers: { origin: baseUrl }, maxRedirects: 0 });
      const form = { step: 'confirm', reason: 'other' };
      const target = ids['A-FAILED']!;
      // A-FAILED was re-driven above; make it failed again through the same rows a worker would leave.
      await db.db.updateTable('task').set({ state: 'failed' }).where('request_id', '=', target).where('seq', '=', 2).execute();
      await db.db.updateTable('erasure_request').set({ status: 'failed' }).where('id', '=', target).execute();

      const missing = await post(operator.page, target, form);
      expect(missing.status()).toBe(403);
      expect(await missing.text()).toContain('did not come from this console session');
      expect((await post(operator.page, target, { ...form, _csrf: `${token.slice(0, -2)}xx` })).status()).toBe(403);
      const auditorToken = await csrfOf(auditor.page);
      expect((await post(operator.page, target, { ...form, _csrf: auditorToken })).status()).toBe(403);
      const noScope = await post(auditor.page, target, { ...form, _csrf: auditorToken });
      expect(noScope.status()).toBe(403);
      expect(await noScope.text()).toContain('lacks the scope operator actions need: erasure:operate');
      expect(await statusOf(target)).toBe('failed');

      for (const step of ['review', 'confirm']) {
        const other = await post(operator.page, ids['B-FAILED']!, { step, reason: 'other', _csrf: token });
        expect(other.status(), step).toBe(404);
        expect(await other.text()).toContain(`No erasure request with id ${ids['B-FAILED']}.`);
      }
      expect(await statusOf(ids['B-FAILED']!)).toBe('failed');
      const noReason = await post(operator.page, target, { step: 'confirm', reason: '', _csrf: token });
      expect(noReason.status()).toBe(400);
      expect(await noReason.text()).toContain('choose a reason from the list');
      expect(await statusOf(target)).toBe('failed');
      // The confirmation page is a form like any other: with the token, it re-drives.
      const done = await post(operator.page, target, { ...form, _csrf: token });
      expect(done.status()).toBe(303);
      expect(done.headers().location).toBe(`/console/requests/${target}`);
      expect(await statusOf(target)).not.toBe('failed');
    } finally {
      await operator.context.close();
      await auditor.context.close();
    }
  });

  it('shows each connection’s last check, whether it is held or paused, and its budget use on the overview', async () => {
    const { context, page } = await signedIn(A_OPERATOR_KEY);
    try {
      const panel = page.getByRole('region', { name: 'Connection health' });
      const row = (name: string) => textOf(panel.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) }));
      const support = await row('kore-support');
      expect(support).toMatch(/^kore-support\tKore\.ai\tok \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\nby worker:w1 · HTTP 404 · not_found\tsending\t/);
      expect(support).toContain('4 of 60 per minute (paced to 54)');
      expect(support).toContain('4 of 1,800 per hour (paced to 1,620)');
      expect(support).toContain('1 of 4 at once');
      const sales = await row('kore-sales');
      expect(sales).toContain('auth failed');
      expect(sales).toContain('by api-key:portal-a-admin · HTTP 401 · invalid_token');
      expect(sales).toContain('held until a check succeeds');
      expect(sales).toContain('0 of 60 per minute');
      const cartesia = await row('cartesia-prod');
      expect(cartesia).toMatch(/^cartesia-prod\tCartesia\tunreachable .*\tpaused rate limited, until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\t\s*0 of 8 at once$/s);
      expect(await panel.getByRole('meter', { name: '4 of 60 per minute' }).getAttribute('value')).toBe('4');
      await shot(page, 'overview-connections');
    } finally {
      await context.close();
    }
  });

  it('never put a key in a URL or a log line', () => {
    expect(urls.length).toBeGreaterThan(20);
    for (const key of [A_AUDITOR_KEY, A_OPERATOR_KEY, TENANT_KEYS.auditor]) {
      expect(urls.filter((u) => u.includes(key))).toEqual([]);
      expect(api.logs()).not.toContain(key);
    }
    expect(api.logs()).toContain('console operator action');
  });
});
