// Where browser tests leave their screenshots: SCREENSHOT_DIR (CTest sets it to
// <build>/screenshots), else build/screenshots at the top of the source tree. Never committed.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export function screenshotPath(name) {
  const dir = process.env.SCREENSHOT_DIR ?? resolve(here, '../../../build/screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

// What a page logged as an error (console.error, uncaught exceptions, failed loads).
export function pageErrors(page) {
  return page.logs.filter((line) => line.startsWith('error:') || line.startsWith('pageerror:'));
}
