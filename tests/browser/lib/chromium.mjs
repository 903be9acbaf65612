// Debian's Chromium, headless, driven by playwright-core. Never a browser that a tool downloads:
// the executable is /usr/bin/chromium (the `chromium` package, installed by .ci/install-deps) or
// whatever CHROMIUM_BIN names. Every browser launched here is tracked so closeAllBrowsers() in an
// after hook leaves no process behind.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_BIN = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

// As root the sandbox cannot start; the rest keep Chromium off the network and quiet in a
// container (no GPU, /dev/shm may be small).
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
]);

const launched = new Set();

export function chromiumAvailable() {
  return existsSync(CHROMIUM_BIN);
}

// Launches headless Chromium. `args` are added to CHROMIUM_ARGS.
export async function launchChromium({ args = [] } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_BIN,
    headless: true,
    args: [...CHROMIUM_ARGS, ...args],
    timeout: 30000,
  });
  launched.add(browser);
  browser.on('disconnected', () => launched.delete(browser));
  return browser;
}

// A new page (in its own context, so cookies and storage are not shared) at `url`. Whatever the
// page logs to its console or throws is kept in `page.logs` for failure messages.
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (message) => page.logs.push(`${message.type()}: ${message.text()}`));
  page.on('pageerror', (error) => page.logs.push(`pageerror: ${error.message}`));
  await page.goto(url, { waitUntil: 'load', timeout: 15000 });
  return page;
}

export async function closeAllBrowsers() {
  await Promise.all([...launched].map((browser) => browser.close().catch(() => {})));
  launched.clear();
}
