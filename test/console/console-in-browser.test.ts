// The console in a real browser (Debian's Chromium through playwright-core), against a listening gateway
// on the test database, with the sandbox's simulators, its demo requests and a worker: what a person
// sees when they sign in, read the overview, filter, open a request, check its chain and evidence, and
// sign out — and what must never happen (a key in a URL, the page or the logs; markup from a value).
import { execFile } from 'node:child_process';
import { createOpenTaskQuota } from '../../src/services/open-task-quota.ts';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomIds, systemClock } from '../../src/clock.ts';
import { parseEnvironment, type GatewayConfig } from '../../src/config.ts';
import { sha256Hex } from '../../src/http/api-keys.ts';
import { createMetrics } from '../../src/metrics.ts';
import { seedSandboxDemo } from '../../src/sandbox-demo.ts';
import { SANDBOX_CARTESIA_CONNECTION, SANDBOX_KOREAI_CONNECTION, sandboxConfig } from '../../src/sandbox.ts';
import { startSandboxSimulators, type SandboxSimulators } from '../../src/simulators/index.ts';
import { startWorker, type Worker } from '../../src/worker/worker.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../http/harness.ts';
import { chromiumMissing, launchChromium, shot, shown, signIn as signInAs, textOf } from './browser.ts';

const SANDBOX_KEY = 'egk_sandbox_browser_test_0123456789abcdef';
const AUDITOR_KEY = 'egk_auditor_browser_test_0123456789abcdef';
const READER_KEY = 'egk_reader_browser_test_0123456789abcdefgh';
const SECRETS = { apiKey: SANDBOX_KEY, subjectHashKey: 'browser-subject-hash-key-0123456789', callbackSecret: 'browser-callback-secret-0123456789' };
const XSS_REF = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';

let db: TestDatabase;
let sims: SandboxSimulators;
let api: TestApp;
let worker: Worker;
let browser: Browser;
let baseUrl: string;
let demoId: string;
let xssId: string;
let startedAt: number;
/** Every URL the browser asked for, in every context. */
const urls: string[] = [];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 25_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function submit(body: Record<string, unknown>): Promise<string> {
  const answer = await api.app.inject({ method: 'POST', url: '/v1/erasure-requests', headers: { authorization: `Bearer ${SANDBOX_KEY}` }, payload: body });
  expect(answer.statusCode).toBe(202);
  return answer.json().id as string;
}

async function statusOf(id: string): Promise<string> {
  return (await api.app.inject({ method: 'GET', url: `/v1/erasure-requests/${id}`, headers: { authorization: `Bearer ${SANDBOX_KEY}` } })).json().status as string;
}

async function newContext(viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  context.on('request', (r) => urls.push(r.url()));
  return context;
}

async function signIn(page: Page, key: string): Promise<void> {
  await signInAs(page, baseUrl, key);
}

describe.skipIf(chromiumMissing)('the console in Chromium (skipped without /usr/bin/chromium outside CI: apt-get install -y chromium)', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    startedAt = Date.now();
    db = await createTestDatabase();
    sims = await startSandboxSimulators({ jobDelayMs: 200 });
    const sandbox = sandboxConfig({ env: parseEnvironment({ LOG_LEVEL: 'trace' }), sandbox: true, file: {} as never, secrets: new Map() }, sims, SECRETS);
    const config: GatewayConfig = {
      ...sandbox,
      file: {
        ...sandbox.file,
        apiKeys: [
          ...sandbox.file.apiKeys,
          { name: 'auditors', sha256: sha256Hex(AUDITOR_KEY), scopes: ['audit:read'], tenant: 'auditors', allTenants: true, rateLimit: { perMinute: 600 } },
          { name: 'support-desk', sha256: sha256Hex(READER_KEY), scopes: ['erasure:read'], tenant: 'sandbox', allTenants: false, rateLimit: { perMinute: 600 } },
        ],
        connections: sandbox.file.connections.map((c) => (c.type === 'koreai' ? { ...c, jobPollIntervalSeconds: 0.3 } : c)),
        worker: { ...sandbox.file.worker, pollIntervalMs: 100, backoffBaseMs: 100, backoffCapMs: 400 },
      },
    };
    api = await buildTestApp(db, { config, clock: systemClock, captureLogs: true });
    baseUrl = await api.app.listen({ port: 0, host: '127.0.0.1' });
    worker = startWorker({ config, database: db, clock: systemClock, ids: randomIds, logger: api.deps.logger, metrics: createMetrics({ defaultMetrics: false }), workerId: 'browser' });

    const demoIds = await seedSandboxDemo({ config, database: db, clock: systemClock, ids: randomIds, metrics: api.deps.metrics, openTaskQuota: createOpenTaskQuota(db.db, systemClock) }, { simulators: sims });
    expect(demoIds).toHaveLength(4);
    // The README's example request.
    demoId = await submit({
      externalRef: 'DEMO-1',
      regulation: 'gdpr',
      subject: { email: 'demo.subject@example.com' },
      targets: [
        { type: 'koreai.conversations', connection: SANDBOX_KOREAI_CONNECTION, conversationIds: ['69eb0c87ec44444597600a01'] },
        { type: 'cartesia.calls', connection: SANDBOX_CARTESIA_CONNECTION, callIds: ['ac_demo_completed_0001'] },
      ],
    });
    xssId = await submit({ externalRef: XSS_REF, regulation: 'ccpa', targets: [{ type: 'cartesia.calls', connection: SANDBOX_CARTESIA_CONNECTION, callIds: ['ac_demo_unknown_9999'] }] });
    worker.wake();
    const [completed, inProgress, failed, overdue] = demoIds as [string, string, string, string];
    for (const [id, status] of [[demoId, 'completed'], [xssId, 'completed'], [completed, 'completed'], [failed, 'failed'], [overdue, 'failed']] as const) {
      await until(`${id} to be ${status}`, async () => ((await statusOf(id)) === status ? true : undefined));
    }
    expect(await statusOf(inProgress)).toBe('in_progress');

    browser = await launchChromium();
    context = await newContext();
    page = await context.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await api?.close();
    await sims?.close();
    await db?.close();
    // The browser suite's own time, for .ci/run's report.
    console.log(`[console browser suite] ${((Date.now() - startedAt) / 1000).toFixed(1)} s (setup, browser and every test)`);
  });

  it('signs in with the key and shows the sandbox requests by status, deadlines and failures', async () => {
    const first = await page.goto(`${baseUrl}/console/`);
    expect(new URL(page.url()).pathname).toBe('/console/sign-in');
    expect(first?.headers()['content-security-policy']).toMatch(/^default-src 'self'; script-src 'none'; style-src 'self'/);
    expect(first?.headers()['content-security-policy']).not.toContain('unsafe');
    await shot(page, 'sign-in');

    await page.getByLabel('API key').fill('egk_sandbox_wrong_key_000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await textOf(page.getByRole('alert'))).toBe('That API key is not valid.');
    expect(await page.getByLabel('API key').inputValue()).toBe('');

    // Keyboard only: the field has focus, Enter sends the form.
    await page.getByLabel('API key').focus();
    await page.keyboard.type(SANDBOX_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();

    expect(await shown(page.getByRole('link', { name: '3 completed' }))).toBe(true);
    expect(await shown(page.getByRole('link', { name: '1 in progress' }))).toBe(true);
    expect(await shown(page.getByRole('link', { name: '2 failed' }))).toBe(true);
    expect(await shown(page.getByRole('link', { name: '1 overdue' }))).toBe(true);
    expect(await shown(page.getByText('1due within 7 days'))).toBe(true);
    expect(await shown(page.getByRole('row', { name: 'sandbox-cartesia 2' }))).toBe(true);
    expect(await shown(page.getByRole('img', { name: 'Requests received and finished per day' }))).toBe(true);
    // Median time to erasure: Kore.ai's conversation job and recording check, Cartesia's four calls.
    expect(await shown(page.getByRole('row', { name: /^sandbox-koreai 2 \d/ }))).toBe(true);
    expect(await shown(page.getByRole('row', { name: /^sandbox-cartesia 4 \d/ }))).toBe(true);
    await shot(page, 'overview');

    const cookie = (await context.cookies()).find((c) => c.name === 'eg_console_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console', secure: false });
  });

  it('filters the list like the API and exports the filtered list as CSV', async () => {
    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    expect(await shown(page.getByRole('link', { name: 'DEMO-1' }))).toBe(true);
    expect(await shown(page.getByText('6 requests on this page, newest first.'))).toBe(true);

    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await shown(page.getByText('2 requests on this page'))).toBe(true);
    expect(await shown(page.getByRole('link', { name: 'SANDBOX-FAILED' }))).toBe(true);
    expect(await shown(page.getByRole('link', { name: 'SANDBOX-OVERDUE' }))).toBe(true);
    expect(await page.getByRole('link', { name: 'DEMO-1' }).count()).toBe(0);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    const csv = readFileSync(await (await download).path(), 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/^id,tenant,externalRef,regulation,status,overdue,/);
    expect(csv.slice(1).map((line) => line.split(',')[2]).sort()).toEqual(['SANDBOX-FAILED', 'SANDBOX-OVERDUE']);

    await page.getByLabel('Overdue').selectOption('true');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await shown(page.getByText('1 request on this page'))).toBe(true);
    expect(await shown(page.getByRole('link', { name: 'SANDBOX-OVERDUE' }))).toBe(true);

    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByLabel('External reference').fill('DEMO-1');
    await page.getByLabel('Created from (UTC)').fill(new Date().toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    expect(await shown(page.getByText('1 request on this page'))).toBe(true);
    await page.getByRole('link', { name: 'Clear' }).click();
    await shot(page, 'requests');
  });

  it('shows the README example with every task, the trail and "chain verified"; its evidence verifies offline', async () => {
    await page.getByRole('link', { name: 'DEMO-1' }).click();
    expect(await shown(page.getByRole('heading', { name: 'DEMO-1', level: 1 }))).toBe(true);
    const tasks = page.getByRole('region', { name: 'Tasks' }).getByRole('row');
    expect(await tasks.count()).toBe(3); // the header and both tasks
    expect(await textOf(tasks.filter({ hasText: 'koreai.conversations' }))).toContain('succeeded');
    expect(await textOf(tasks.filter({ hasText: 'cartesia.call' }))).toContain('succeeded');
    expect(await textOf(tasks.filter({ hasText: 'cartesia.call' }))).toContain('redactedAt');
    expect(await shown(page.getByText('Chain verified'))).toBe(true);
    expect(await textOf(page.getByRole('listitem').filter({ hasText: 'request.created' }))).toContain('api-key:sandbox');
    expect(await shown(page.getByRole('listitem').filter({ hasText: 'upstream.call' }).first())).toBe(true);
    await shot(page, 'request');

    const files = mkdtempSync(join(tmpdir(), 'eg-evidence-'));
    const save = async (name: string) => {
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name }).click();
      const file = await download;
      const path = join(files, file.suggestedFilename());
      await file.saveAs(path);
      return path;
    };
    const jwsFile = await save('Download evidence');
    const jwksFile = await save('Download the public keys');
    const script = await save('Download the check script');
    expect(jwsFile.endsWith(`evidence-${demoId}.jws`)).toBe(true);

    const keys = createLocalJWKSet(JSON.parse(readFileSync(jwksFile, 'utf8')));
    const { payload } = await jwtVerify(readFileSync(jwsFile, 'utf8'), keys, { typ: 'erasure-evidence+jwt', subject: demoId });
    expect(payload).toMatchObject({ final: true, request: { externalRef: 'DEMO-1', status: 'completed' } });
    expect((payload as { tasks: Array<{ state: string }> }).tasks.map((t) => t.state)).toEqual(['succeeded', 'succeeded']);

    // The command the page shows, run as shown, in a folder with nothing but the files and `jose`.
    mkdirSync(join(files, 'node_modules'));
    symlinkSync(join(process.cwd(), 'node_modules/jose'), join(files, 'node_modules/jose'));
    const { stdout } = await promisify(execFile)(process.execPath, [script, `evidence-${demoId}.jws`, 'jwks.json'], { cwd: files });
    expect(stdout).toContain(`signature valid`);
    expect(stdout).toContain(`request ${demoId} is completed, final=true`);
    expect(await page.getByRole('code').filter({ hasText: 'node verify-evidence.mjs' }).textContent()).toContain(`node verify-evidence.mjs evidence-${demoId}.jws jwks.json`);
  });

  it('renders an externalRef holding <script> as text, in the list and on its page', async () => {
    await page.goto(`${baseUrl}/console/requests?externalRef=${encodeURIComponent(XSS_REF)}`);
    expect(await shown(page.getByRole('link', { name: XSS_REF }))).toBe(true);
    await page.getByRole('link', { name: XSS_REF }).click();
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(XSS_REF);
    expect(new URL(page.url()).pathname).toBe(`/console/requests/${xssId}`);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('script').count()).toBe(0);
  });

  it('reads well on a narrow screen: no page wider than the phone; an auditor gets the evidence and no action but sign-out', async () => {
    const phone = await newContext({ width: 390, height: 844 });
    try {
      const small = await phone.newPage();
      await signIn(small, AUDITOR_KEY);
      for (const path of ['/console/', '/console/requests', `/console/requests/${demoId}`]) {
        await small.goto(`${baseUrl}${path}`);
        expect(await small.evaluate<number>('document.documentElement.scrollWidth'), path).toBeLessThanOrEqual(390);
      }
      // The auditor key (audit:read only) on the request page: trail and evidence, and no button that changes anything.
      expect(await shown(small.getByText('Chain verified'))).toBe(true);
      expect(await shown(small.getByRole('link', { name: 'Download evidence' }))).toBe(true);
      expect(await small.getByRole('button').allInnerTexts()).toEqual(['Sign out']);
      await shot(small, 'request-narrow', { fullPage: false });
    } finally {
      await phone.close();
    }
  });

  it('shows an erasure:read key the tasks but not the trail or the evidence', async () => {
    const other = await newContext();
    try {
      const p = await other.newPage();
      await signIn(p, READER_KEY);
      await p.goto(`${baseUrl}/console/requests/${demoId}`);
      expect(await p.getByRole('region', { name: 'Tasks' }).getByRole('row').count()).toBe(3);
      expect(await shown(p.getByText('need the scope audit:read'))).toBe(true);
      expect(await p.getByText('Chain verified').count()).toBe(0);
      expect(await p.getByRole('link', { name: 'Download evidence' }).count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('signs out: the session ends and every page asks to sign in again', async () => {
    await page.goto(`${baseUrl}/console/`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await shown(page.getByRole('heading', { name: 'Sign in' }))).toBe(true);
    expect((await context.cookies()).find((c) => c.name === 'eg_console_session')).toBeUndefined();
    for (const path of ['/console/', '/console/requests', `/console/requests/${demoId}`]) {
      await page.goto(`${baseUrl}${path}`);
      expect(new URL(page.url()).pathname, path).toBe('/console/sign-in');
    }
  });

  it('never put a key in a URL, in page storage or in a log line', async () => {
    const keys = [SANDBOX_KEY, AUDITOR_KEY, READER_KEY];
    expect(urls.length).toBeGreaterThan(20);
    for (const key of keys) {
      expect(urls.filter((u) => u.includes(key))).toEqual([]);
      expect(api.logs()).not.toContain(key);
    }
    await page.goto(`${baseUrl}/console/sign-in`);
    expect(await page.evaluate('[localStorage.length, sessionStorage.length]')).toEqual([0, 0]);
    expect(await page.content()).not.toContain(SANDBOX_KEY);
    expect(api.logs()).toContain('console session opened');
  });
});
