// Debian's Chromium driven by playwright-core (Playwright's own browser download does not work here):
// a fresh profile per launch, nothing reaching out to the network by itself.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
