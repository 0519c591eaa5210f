// Debian's Chromium driven by playwright-core (Playwright's own browser download does not work here):
// a fresh profile per launch, nothing reaching out to the network by itself.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Outside CI a machine without Chromium skips the browser suite (saying why); in CI it must be there (.ci/run installs it). */
export const chromiumMissing = !existsSync(CHROMIUM) && process.env.CI !== 'true';

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** CONSOLE_SCREENSHOTS=1 writes the pages' screenshots to docs/console/ (committed; CI leaves them alone). */
export const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1';

const SHOTS = join(process.cwd(), 'docs/console');

/** With CONSOLE_SCREENSHOTS=1, the page's screenshot as docs/console/<name>.png (full page unless told). */
export async function shot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!SCREENSHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: options.fullPage ?? true });
}

/** Whether the element shows within a few seconds (pages are server-rendered: usually at once). */
export async function shown(locator: Locator): Promise<boolean> {
  try {
    await locator.first().waitFor({ state: 'visible', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

export async function textOf(locator: Locator): Promise<string> {
  await locator.first().waitFor({ state: 'visible', timeout: 5_000 });
  return (await locator.first().innerText()).trim();
}

/** Signs in on the sign-in form with `key` and waits for the overview. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
}
