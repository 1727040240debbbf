/**
 * `npm run screenshots`: pictures of the resume page (desktop, phone, dark) and the stats page
 * for the README, taken in headless Chromium against the dev server on a scratch data folder.
 * Written to `.cache/screenshots/` (ignored by git); `npm run screenshots -- --update-docs`
 * replaces the README's pictures in `docs/screenshots/`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../service/src/config.js';
import { startDevServer } from '../service/src/dev/server.js';
import { findChromium, launchChromium } from '../test/support/chromium.js';
import { outputFor } from './outputs.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const root = fileURLToPath(new URL('../', import.meta.url));
let output: ReturnType<typeof outputFor>;
try {
  output = outputFor(root, 'screenshots', process.argv.slice(2));
} catch (error) {
  console.error(`${(error as Error).message}\nusage: npm run screenshots [-- --update-docs]`);
  process.exit(2);
}
const executable = findChromium();
if (!executable) {
  console.error(
    'No Chromium found: install it (e.g. apt-get install chromium) or set CHROMIUM_PATH.',
  );
  process.exit(1);
}
const out = output.path;
await mkdir(out, { recursive: true });
const scratch = await mkdtemp(join(tmpdir(), 'footfall-shots-'));
const server = await startDevServer(
  loadConfig({
    PORT: '0',
    FOOTFALL_DATA_DIR: join(scratch, 'data'),
    VIEWS_PER_ADDRESS_PER_DAY: '0',
  }),
  {
    siteDir: join(scratch, 'site'),
    log: () => {},
  },
);
const browser = await launchChromium(executable);
try {
  // Believable numbers for the pictures: 64 visitors today (every one a different browser,
  // as far as the count can tell, arriving from a few places), and a month of history written
  // straight into the table, with where its visitors came from and where they were.
  const browserAgent = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0.0.0';
  const referrers = ['', 'https://www.linkedin.com/feed/', 'https://www.google.com/', ''];
  for (let i = 0; i < 64; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, 64 - i) }, (_, j) => {
        const ref = referrers[(i + j) % referrers.length];
        return fetch(
          `${server.url}/api/count?page=/${ref ? `&ref=${encodeURIComponent(ref)}` : ''}`,
          {
            method: 'POST',
            headers: { 'user-agent': `${browserAgent} shot/${i + j}` },
          },
        );
      }),
    );
  }
  const { daily, counter } = server.database.entities;
  const pages = { '/': 1, '/projects/': 0.4, '/talks/': 0.15 } as const;
  const sources = {
    direct: 0.34,
    'linkedin.com': 0.26,
    google: 0.14,
    'news.ycombinator.com': 0.09,
    'github.com': 0.07,
    'x.com': 0.04,
    duckduckgo: 0.03,
    other: 0.03,
  };
  const countries = {
    DE: 0.31,
    US: 0.24,
    GB: 0.11,
    NL: 0.09,
    IN: 0.08,
    FR: 0.06,
    CA: 0.05,
    other: 0.06,
  };
  const spread = (total: number, shares: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(shares).map(([name, share]) => [name, Math.round(total * share)]),
    );
  for (let ago = 1; ago < 30; ago++) {
    const day = new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
    const visitors = Math.round(40 + 25 * Math.sin(ago / 3) + (ago % 7 === 0 ? 30 : 0));
    const counts = { visitors, views: Math.round(visitors * 1.6), bots: Math.round(visitors / 3) };
    await daily
      .upsert({
        page: '*',
        day,
        sv: spread(counts.views, sources),
        su: spread(counts.visitors, sources),
        cv: spread(counts.views, countries),
        cu: spread(counts.visitors, countries),
      })
      .add(counts)
      .go();
    for (const [page, share] of Object.entries(pages)) {
      const scaled = {
        visitors: Math.round(counts.visitors * share),
        views: Math.round(counts.views * share),
        bots: 0,
      };
      await daily.upsert({ page, day }).add(scaled).go();
      await counter.upsert({ page, site: '*' }).add(scaled).go();
    }
  }
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
    console.log(`${output.relative}/${shot.name}.png`);
    await context.close();
  }
  const context = await browser.newContext({
    viewport: { width: 1000, height: 1000 },
    colorScheme: 'light',
    locale: 'en-US',
  });
  const stats = await context.newPage();
  await stats.goto(`${server.url}/stats/`);
  await stats.locator('body[data-state="ready"]').waitFor();
  await stats.screenshot({ path: join(out, 'stats.png'), fullPage: true });
  console.log(`${output.relative}/stats.png`);
  await context.close();
  console.log(output.note);
} finally {
  await browser.close();
  await server.close();
  await rm(scratch, { recursive: true, force: true });
}
