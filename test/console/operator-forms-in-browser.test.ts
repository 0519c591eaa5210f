// The operator forms of issue 14 in a real browser (Debian's Chromium through playwright-core): with an
// operator key (erasure:read, audit:read, erasure:operate, as the sandbox's), skip a failed task with a
// reason, resolve another by hand, extend a GDPR request's deadline — each through its confirmation — and
// see on the request page what a person would: the new status, the reason, "resolved by hand" with the
// reference, the new due date and the extension. A stale page's second extension, or a skip of a task
// resolved meanwhile, shows the service's refusal as a notice with nothing changed. The list's Stalled
// filter and the overview's Stalled tile show exactly the stalled request; an auditor (audit:read) sees
// none of the forms.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.ts';
import type { GatewayConfig } from '../../src/config.ts';
import { sha256Hex } from '../../src/http/api-keys.ts';
import { seedRequest } from '../audit/fixtures.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../http/harness.ts';
import { TENANT_A, tenantsConfig } from '../tenancy/tenants.ts';
import { chromiumMissing, launchChromium, shot, signIn, textOf } from './browser.ts';

const OPERATOR_KEY = 'egk_portal_a_operator_forms_0123456789';
const AUDITOR_KEY = 'egk_portal_a_auditor_forms_01234567890';

let db: TestDatabase;
let api: TestApp;
let browser: Browser;
let baseUrl: string;
const ids: Record<string, string> = {};
const taskIds: Record<string, string[]> = {};
const createdAt: Record<string, Date> = {};

function config(): GatewayConfig {
  return tenantsConfig({}, {
    extraKeys: [
      { name: 'portal-a-forms-auditor', sha256: sha256Hex(AUDITOR_KEY), scopes: ['audit:read'], tenant: TENANT_A },
      { name: 'portal-a-forms-operator', sha256: sha256Hex(OPERATOR_KEY), scopes: ['erasure:read', 'audit:read', 'erasure:operate'], tenant: TENANT_A },
    ],
  });
}

async function signedIn(key: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, baseUrl, key);
  return { context, page };
}

async function requestRow(ref: string) {
  return db.db.selectFrom('erasure_request').select(['status', 'due_at', 'extension']).where('id', '=', ids[ref]!).executeTakeFirstOrThrow();
}

/** As the page shows an instant: `2026-03-10 12:00 UTC`. */
const shownAs = (d: Date) => `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;

/** Opens the task's row of actions and fills and sends one of its forms; lands on the confirmation. */
async function reviewTaskAction(page: Page, seq: number, fill: (form: ReturnType<Page['getByRole']>) => Promise<void>, action: string): Promise<void> {
  await page.getByText(`Skip or resolve task ${seq} (`).click();
  const form = page.getByRole('form', { name: `${action} (task ${seq})` });
  await fill(form);
  await form.getByRole('button', { name: `${action}…` }).click();
  await page.getByRole('heading', { name: `Confirm: ${action.toLowerCase()}`, level: 1 }).waitFor();
}

describe.skipIf(chromiumMissing)('operator forms in the console, in Chromium (skipped without /usr/bin/chromium outside CI)', () => {
  const startedAt = Date.now();
  beforeAll(async () => {
    db = await createTestDatabase();
    const now = Date.now();
    const ago = (minutes: number) => new Date(now - minutes * 60_000);
    const failed = { state: 'failed' as const, attempts: 5, finishedAt: ago(30), lastError: { kind: 'upstream', status: 500, code: 'internal_error' } };
    const seeds = [
      { ref: 'F-SKIP', status: 'failed', completedAt: ago(30), tasks: [{ state: 'succeeded' as const, finishedAt: ago(40) }, failed] },
      { ref: 'F-RESOLVE', status: 'failed', completedAt: ago(30), tasks: [{ state: 'succeeded' as const, finishedAt: ago(40) }, failed] },
      { ref: 'F-EXTEND', status: 'in_progress', completedAt: null, tasks: [{ state: 'pending' as const }] },
      { ref: 'F-STALLED', status: 'in_progress', completedAt: null, tasks: [{ state: 'waiting' as const }] },
    ] as const;
    for (const [i, s] of seeds.entries()) {
      createdAt[s.ref] = ago(60 - i);
      const seeded = await seedRequest(db.db, { externalRef: s.ref, tenant: TENANT_A, status: s.status, createdAt: createdAt[s.ref], completedAt: s.completedAt, tasks: [...s.tasks] });
      ids[s.ref] = seeded.id;
      taskIds[s.ref] = seeded.taskIds;
    }
    // The watchdog's mark, as it leaves it on a task past its expected wait.
    await db.db.updateTable('task').set({ stalled_since: ago(5) }).where('id', '=', taskIds['F-STALLED']![0]!).execute();
    api = await buildTestApp(db, { config: config(), clock: systemClock });
    baseUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await db?.close();
    console.log(`[console browser suite] operator forms: ${((Date.now() - startedAt) / 1000).toFixed(1)} s (setup, browser and every test)`);
  });

  it('skips a failed task with a reason, confirming first: the request is "completed with exceptions" and the task shows the reason', async () => {
    const { context, page } = await signedIn(OPERATOR_KEY);
    try {
      await page.goto(`${baseUrl}/console/requests/${ids['F-SKIP']}`);
      // Only the failed task (2) offers skip and resolve; the succeeded one (1) does not.
      expect(await page.getByText('Skip or resolve task 2').count()).toBe(1);
      expect(await page.getByText('Skip or resolve task 1').count()).toBe(0);
      // The row's link leads to the task's forms under the table (which scrolls sideways), unfolding them.
      await page.getByRole('row').filter({ hasText: 'call_2' }).getByRole('link', { name: 'Skip or resolve…' }).click();
      const form = page.getByRole('form', { name: 'Skip this task (task 2)' });
      await form.waitFor({ state: 'visible', timeout: 5_000 });
      expect(await textOf(form)).toContain("The reason is kept with the request's evidence: do not enter the person's details.");
      await shot(page, 'operator-task-forms');

      const reason = 'Vendor ticket KORE-4411: recordings of 2025 were purged by the vendor before this request';
      await form.getByLabel('Reason for skipping (1–500 characters)').fill(reason);
      await form.getByRole('button', { name: 'Skip this task…' }).click();
      await page.getByRole('heading', { name: 'Confirm: skip this task', level: 1 }).waitFor();
      const facts = await textOf(page.locator('.facts'));
      expect(facts).toContain(reason);
      expect(facts).toContain('api-key:portal-a-forms-operator');
      expect((await requestRow('F-SKIP')).status).toBe('failed'); // nothing changed before the confirmation
      await shot(page, 'operator-confirm-skip');
      await page.getByRole('button', { name: 'Confirm: skip this task' }).click();

      await page.getByRole('heading', { name: 'F-SKIP', level: 1 }).waitFor();
      expect(await textOf(page.getByRole('status').filter({ hasText: 'Skipped' }))).toBe('Skipped the task; the request is now completed with exceptions.');
      expect(await textOf(page.locator('.facts').first())).toContain('completed with exceptions');
      const row = page.getByRole('row').filter({ hasText: 'skipped by' });
      expect(await textOf(row)).toContain(`skipped by api-key:portal-a-forms-operator`);
      expect(await textOf(row)).toContain(reason);
      expect((await requestRow('F-SKIP')).status).toBe('completed_with_exceptions');
      await shot(page, 'operator-skipped');
      // Final again: its evidence was signed, as when the API skips.
      const evidence = await db.db.selectFrom('request_evidence').select('request_id').where('request_id', '=', ids['F-SKIP']!).execute();
      expect(evidence.length).toBeGreaterThan(0);
      const event = await db.db.selectFrom('request_event').select(['actor', 'data']).where('request_id', '=', ids['F-SKIP']!).where('type', '=', 'task.skipped').executeTakeFirstOrThrow();
      expect(event.actor).toBe('api-key:portal-a-forms-operator');
      expect(JSON.stringify(event.data)).not.toContain('KORE-4411'); // the operator's text stays out of the trail
    } finally {
      await context.close();
    }
  });

  it('resolves a failed task by hand: "completed", the task "resolved by hand" with the reference; a stale page\'s skip of it is refused with nothing changed', async () => {
    const { context, page } = await signedIn(OPERATOR_KEY);
    const stale = await context.newPage();
    try {
      await stale.goto(`${baseUrl}/console/requests/${ids['F-RESOLVE']}`);
      await page.goto(`${baseUrl}/console/requests/${ids['F-RESOLVE']}`);
      await reviewTaskAction(
        page,
        2,
        async (form) => {
          await form.getByLabel('Reference of the confirmation (1–200 characters)').fill('CARTESIA-SUP-9087');
          await form.getByLabel('Note (up to 1,000 characters) (optional)').fill('Confirmed by the vendor’s support by e-mail.');
        },
        'Resolve by hand',
      );
      expect(await textOf(page.locator('.facts'))).toContain('CARTESIA-SUP-9087');
      await page.getByRole('button', { name: 'Confirm: resolve by hand' }).click();
      await page.getByRole('heading', { name: 'F-RESOLVE', level: 1 }).waitFor();
      expect(await textOf(page.getByRole('status').filter({ hasText: 'Resolved' }))).toBe('Resolved the task by hand; the request is now completed.');
      const row = page.getByRole('row').filter({ hasText: 'resolved by hand' });
      const text = await textOf(row);
      expect(text).toContain('operator-attested, not vendor-confirmed');
      expect(text).toContain('CARTESIA-SUP-9087');
      expect(text).toContain('api-key:portal-a-forms-operator');
      expect(await textOf(page.getByRole('listitem').filter({ hasText: 'task.resolved' }))).toContain('resolved by hand (operator-attested), reference CARTESIA-SUP-9087');
      // The task the vendor confirmed itself reads differently.
      expect(await textOf(page.getByRole('row').filter({ hasText: 'vendor-confirmed' }).filter({ hasNotText: 'resolved by hand' }))).toContain('succeeded');
      expect((await requestRow('F-RESOLVE')).status).toBe('completed');

      // The page opened before: its skip form is still there; the service refuses, the page says why.
      await reviewTaskAction(stale, 2, (form) => form.getByLabel('Reason for skipping (1–500 characters)').fill('duplicate'), 'Skip this task');
      await stale.getByRole('button', { name: 'Confirm: skip this task' }).click();
      await stale.getByRole('heading', { name: 'F-RESOLVE', level: 1 }).waitFor();
      expect(await textOf(stale.getByRole('alert').filter({ hasText: 'Nothing was changed' }))).toBe(
        'Nothing was changed: The task is final already (succeeded); only tasks that are not final, or failed, can be closed.',
      );
      expect((await requestRow('F-RESOLVE')).status).toBe('completed');
      expect(await textOf(stale.getByRole('row').filter({ hasText: 'resolved by hand' }))).toContain('CARTESIA-SUP-9087');
    } finally {
      await context.close();
    }
  });

  it("extends a GDPR request's deadline to two months and three weeks, and shows the rule's message for a second extension, nothing changed", async () => {
    const { context, page } = await signedIn(OPERATOR_KEY);
    const stale = await context.newPage();
    try {
      const created = createdAt['F-EXTEND']!;
      const target = new Date(Date.UTC(created.getUTCFullYear(), created.getUTCMonth() + 2, created.getUTCDate() + 21, created.getUTCHours(), created.getUTCMinutes()));
      const previous = (await requestRow('F-EXTEND')).due_at;
      const input = target.toISOString().slice(0, 16);
      await stale.goto(`${baseUrl}/console/requests/${ids['F-EXTEND']}`);
      await page.goto(`${baseUrl}/console/requests/${ids['F-EXTEND']}`);
      const form = page.getByRole('form', { name: 'Extend the deadline' });
      expect(await textOf(form)).toContain('no later than the GDPR limit allows');
      await form.getByLabel('New due date (UTC)').fill(input);
      await form.getByLabel('Reason for the extension (1–500 characters)').fill('The vendor needs more time to erase archived recordings; the person was told.');
      await form.getByRole('button', { name: 'Extend the deadline…' }).click();
      await page.getByRole('heading', { name: 'Confirm: extend the deadline', level: 1 }).waitFor();
      expect(await textOf(page.locator('.facts'))).toContain(shownAs(target));
      await page.getByRole('button', { name: 'Confirm: extend the deadline' }).click();

      await page.getByRole('heading', { name: 'F-EXTEND', level: 1 }).waitFor();
      expect(await textOf(page.getByRole('status').filter({ hasText: 'Extended' }))).toBe(`Extended the deadline to ${shownAs(target)} (it was ${shownAs(previous)}).`);
      const summary = await textOf(page.locator('.facts').first());
      expect(summary).toContain(`Due\n${shownAs(target)} extended`);
      expect(summary).toContain(`from ${shownAs(previous)}, by api-key:portal-a-forms-operator`);
      expect(summary).toContain('The vendor needs more time to erase archived recordings');
      expect(await page.getByRole('form', { name: 'Extend the deadline' }).count()).toBe(0); // once per request
      await shot(page, 'request-extended', { fullPage: false });
      const after = await requestRow('F-EXTEND');
      expect(after.due_at.toISOString()).toBe(target.toISOString());

      // A page opened before the extension still has the form: the rule refuses, said on the request page.
      const staleForm = stale.getByRole('form', { name: 'Extend the deadline' });
      await staleForm.getByLabel('New due date (UTC)').fill(new Date(target.getTime() + 86_400_000).toISOString().slice(0, 16));
      await staleForm.getByLabel('Reason for the extension (1–500 characters)').fill('again');
      await staleForm.getByRole('button', { name: 'Extend the deadline…' }).click();
      await stale.getByRole('button', { name: 'Confirm: extend the deadline' }).click();
      await stale.getByRole('heading', { name: 'F-EXTEND', level: 1 }).waitFor();
      expect(await textOf(stale.getByRole('alert').filter({ hasText: 'Not extended' }))).toBe('Not extended: The request was extended already; a request is extended once.');
      expect(await textOf(stale.locator('.facts').first())).toContain(`Due\n${shownAs(target)} extended`);
      const unchanged = await requestRow('F-EXTEND');
      expect(unchanged.due_at.toISOString()).toBe(target.toISOString());
      expect(unchanged.extension).toEqual(after.extension);
    } finally {
      await context.close();
    }
  });

  it('filters the list to exactly the stalled request, marks it, and counts it on the overview’s Stalled tile', async () => {
    const { context, page } = await signedIn(OPERATOR_KEY);
    try {
      const tile = page.getByRole('link', { name: /stalled/ });
      expect(await textOf(tile.locator('.tile-value'))).toBe('1');
      await tile.click();
      await page.getByRole('heading', { name: 'Requests', level: 1 }).waitFor();
      expect(await page.getByLabel('Stalled').inputValue()).toBe('true');
      const rows = page.locator('table.requests tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await textOf(rows)).toContain('F-STALLED');
      expect(await textOf(rows)).toContain('stalled');

      await page.getByLabel('Stalled').selectOption('false');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/stalled=false/);
      const others = await page.locator('table.requests tbody th').allInnerTexts();
      expect(others.sort()).toEqual(['F-EXTEND', 'F-RESOLVE', 'F-SKIP']);

      // Due before: the open requests due before that day begins (F-EXTEND's deadline is two months out).
      await page.getByLabel('Stalled').selectOption('');
      const day = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
      await page.getByLabel('Due before (UTC)').fill(day);
      await page.getByRole('button', { name: 'Apply filters' }).click();
      await page.waitForURL(/dueBefore=/);
      expect(await page.locator('table.requests tbody th').allInnerTexts()).toEqual(['F-STALLED']);
      expect(await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href')).toBe(`/console/requests.csv?dueBefore=${day}`);

      await page.goto(`${baseUrl}/console/requests/${ids['F-STALLED']}`);
      expect(await textOf(page.getByRole('row').filter({ hasText: 'stalled' }))).toMatch(/stalled\s+since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      // The operator has its forms here (the auditor below has none): the waiting task's, and the deadline's.
      expect(await page.getByText('Skip or resolve task 1').count()).toBe(1);
      expect(await page.getByRole('form', { name: 'Extend the deadline' }).count()).toBe(1);
      // On a phone's width too, forms unfolded, no wider than the screen.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.getByText('Skip or resolve task 1 (').click();
      await page.getByRole('form', { name: 'Resolve by hand (task 1)' }).waitFor();
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    } finally {
      await context.close();
    }
  });

  it('offers an auditor (audit:read) none of the forms, on any request', async () => {
    const { context, page } = await signedIn(AUDITOR_KEY);
    try {
      for (const ref of ['F-SKIP', 'F-RESOLVE', 'F-EXTEND', 'F-STALLED']) {
        await page.goto(`${baseUrl}/console/requests/${ids[ref]}`);
        await page.getByRole('heading', { name: ref, level: 1 }).waitFor();
        expect(await page.locator('form[method="post"]:not([action="/console/sign-out"])').count(), ref).toBe(0);
        expect(await page.getByText('Skip or resolve task').count(), ref).toBe(0);
        expect(await page.getByRole('heading', { name: 'Operator actions' }).count(), ref).toBe(0);
      }
    } finally {
      await context.close();
    }
  });

  it('answers a form out of the rules with a 400 naming the field, a task of another request with a 404, and changes nothing', async () => {
    const { context, page } = await signedIn(OPERATOR_KEY);
    try {
      await page.goto(`${baseUrl}/console/requests/${ids['F-STALLED']}`);
      const _csrf = await page.locator('input[name="_csrf"]').first().inputValue();
      const post = (path: string, form: Record<string, string>) =>
        page.request.post(`${baseUrl}/console/requests/${path}`, { form: { _csrf, step: 'confirm', ...form }, headers: { origin: baseUrl }, maxRedirects: 0 });
      const task = taskIds['F-STALLED']![0]!;
      const blank = await post(`${ids['F-STALLED']}/tasks/${task}/skip`, { reason: '   ' });
      expect(blank.status()).toBe(400);
      expect(await blank.text()).toContain('reason:');
      const long = await post(`${ids['F-STALLED']}/tasks/${task}/resolve`, { reference: 'x'.repeat(201), note: '' });
      expect(long.status()).toBe(400);
      expect(await long.text()).toContain('reference:');
      const badDate = await post(`${ids['F-STALLED']}/extend`, { dueAt: 'next month', reason: 'vendor backlog' });
      expect(badDate.status()).toBe(400);
      expect(await badDate.text()).toContain('a date and time (UTC)');
      const elsewhere = await post(`${ids['F-SKIP']}/tasks/${task}/skip`, { reason: 'not this request’s task' });
      expect(elsewhere.status()).toBe(404);
      const rows = await db.db.selectFrom('task').select(['state', 'resolution']).where('id', '=', task).executeTakeFirstOrThrow();
      expect(rows).toEqual({ state: 'waiting', resolution: null });
      expect((await requestRow('F-STALLED')).extension).toBeNull();
    } finally {
      await context.close();
    }
  });
});
