/**
 * `npm run screenshots`: pictures of the resume page for the README (desktop, phone, dark),
 * taken in headless Chromium against the dev server on a scratch data folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../service/src/config.js';
import { startDevServer } from '../service/src/dev-server.js';
import { findChromium, launchChromium } from '../test/chromium.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const executable = findChromium();
if (!executable) {
  console.error(
    'No Chromium found: install it (e.g. apt-get install chromium) or set CHROMIUM_PATH.',
  );
  process.exit(1);
}
const out = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
const scratch = await mkdtemp(join(tmpdir(), 'footfall-shots-'));
const server = await startDevServer(
  loadConfig({ PORT: '0', FOOTFALL_DATA_DIR: join(scratch, 'data') }),
  {
    siteDir: join(scratch, 'site'),
    log: () => {},
  },
);
const browser = await launchChromium(executable);
try {
  // A believable count for the pictures.
  for (let i = 0; i < 1234; i++) await fetch(`${server.url}/api/count?page=/`, { method: 'POST' });
  const shots = [
    { name: 'desktop', viewport: { width: 1280, height: 900 }, colorScheme: 'light' },
    {
      name: 'phone',
      viewport: { width: 390, height: 844 },
      colorScheme: 'light',
      deviceScaleFactor: 2,
    },
    { name: 'dark', viewport: { width: 1280, height: 900 }, colorScheme: 'dark' },
  ] as const;
  for (const shot of shots) {
    const context = await browser.newContext({
      viewport: shot.viewport,
      colorScheme: shot.colorScheme,
      deviceScaleFactor: 'deviceScaleFactor' in shot ? shot.deviceScaleFactor : 1,
      locale: 'en-US',
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.locator('#visitor-count[data-state="ready"]').waitFor();
    await page.screenshot({ path: join(out, `${shot.name}.png`) });
    console.log(`docs/screenshots/${shot.name}.png`);
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  await rm(scratch, { recursive: true, force: true });
}
