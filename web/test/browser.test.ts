import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import axe from 'axe-core';
import type {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  Page,
  Request,
} from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChromium, launchChromium } from '../../test/support/chromium.js';
import { refusingEndpoint } from '../../test/support/fault-proxy.js';
import { copyFixtureSite, fixtureResume } from '../../test/support/fixture-site.js';
import { BROWSER_UA, scratchDevServer, testApp, testClient } from '../../test/support/index.js';

const executable = findChromium();
if (!executable) {
  if (process.env.REQUIRE_BROWSER === '1') {
    throw new Error(
      'REQUIRE_BROWSER=1 but no Chromium was found: install chromium or set CHROMIUM_PATH',
    );
  }
  console.warn(
    '\n**********************************************************************\n' +
      '  BROWSER TESTS SKIPPED: no Chromium found.\n' +
      '  Install it (apt-get install chromium, or Chrome) or set CHROMIUM_PATH.\n' +
      '**********************************************************************\n',
  );
}

let sources: string;
let server: Awaited<ReturnType<typeof scratchDevServer>>;
let browser: Browser;

beforeAll(async () => {
  if (!executable) return;
  // The tests' resume (long words, unicode, markup-like text), not the owner's.
  sources = await copyFixtureSite(await mkdtemp(join(tmpdir(), 'footfall-browser-web-')));
  // Every visit here comes from 127.0.0.1: no per-address limit, or the 21st would not count.
  // And from Germany, as the dev server can say (CloudFront's country header, in AWS).
  server = await scratchDevServer('browser', {
    webDir: sources,
    env: { VIEWS_PER_ADDRESS_PER_DAY: '0', FOOTFALL_DEV_COUNTRY: 'DE' },
  });
  browser = await launchChromium(executable);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (sources) await rm(sources, { recursive: true, force: true });
});

interface Counts {
  views: number;
  visitors: number;
  bots: number;
}

/** What the API says, read directly (GET never counts). */
async function apiCounts(page = '/'): Promise<Counts> {
  const res = await fetch(`${server.url}/api/count?page=${encodeURIComponent(page)}`);
  return (await res.json()) as Counts;
}
const apiVisitors = async (page = '/') => (await apiCounts(page)).visitors;

interface Visit {
  context: BrowserContext;
  page: Page;
  errors: Error[];
  console: string[];
}

let visitors = 0;
/**
 * A new visitor: a fresh browser context is a fresh session. Every visit here comes from
 * 127.0.0.1, so each gets a User-Agent of its own: a person's browser (headless Chromium
 * announces itself as HeadlessChrome, a bot), one visitor per context.
 */
async function newVisitor(options: BrowserContextOptions = {}): Promise<Visit> {
  const context = await browser.newContext({
    locale: 'en-US',
    userAgent: `${BROWSER_UA} visit/${++visitors}`,
    ...options,
  });
  const page = await context.newPage();
  const errors: Error[] = [];
  const console: string[] = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => console.push(`${message.type()}: ${message.text()}`));
  return { context, page, errors, console };
}

const count = (page: Page) => page.locator('#visitor-count');

/** A dash for the eye, words for a screen reader and a tooltip; never NaN or undefined. */
async function expectFallback(page: Page) {
  const element = count(page);
  expect(await element.getAttribute('data-state')).toBe('unavailable');
  expect(await element.textContent()).toBe('– (visitor count unavailable)');
  expect(await element.getAttribute('title')).toBe('Visitor count unavailable');
  const label = element.locator('.visually-hidden');
  expect(await label.evaluate((node) => node.getBoundingClientRect().width)).toBeLessThanOrEqual(1);
  expect(await page.locator('header').textContent()).not.toMatch(/NaN|undefined|null/);
}
/**
 * The page is no wider than the window: nothing scrolls sideways. Measured against the layout
 * viewport (`clientWidth`): on a phone `innerWidth` grows to fit content that overflows, so
 * it can never be exceeded.
 */
async function expectNoHorizontalScroll(page: Page) {
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
  expect(clientWidth).toBe(page.viewportSize()?.width);
  expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
}

/** axe's violations on the page as it stands, run over the DevTools protocol (no CSP applies). */
async function axeViolations(page: Page) {
  await page.evaluate(axe.source);
  return page.evaluate(async () => {
    const results = await (window as unknown as { axe: typeof axe }).axe.run(document, {
      resultTypes: ['violations'],
    });
    return results.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
  });
}

const settled = (page: Page) =>
  page.locator('#visitor-count:not([data-state="loading"])').waitFor({ timeout: 10_000 });

describe.skipIf(!executable)('the resume page in Chromium', () => {
  test('the page is the resume: its name as the heading and in the title, its text as text, no markup of its own run or drawn', async () => {
    const { basics } = await fixtureResume();
    const { context, page, errors } = await newVisitor();
    await page.goto(`${server.url}/`);
    expect(await page.locator('h1').textContent()).toBe(basics.name);
    expect(await page.locator('.masthead .label').textContent()).toBe(basics.label);
    expect(await page.title()).toBe(`${basics.name} — ${basics.label}`);
    expect(await page.locator('img, b, i, h1 h1, script:not([src])').count()).toBe(0);
    await settled(page);
    expect(await count(page).getAttribute('data-state')).toBe('ready');
    await page.goto(`${server.url}/stats/`);
    expect(await page.locator('header .label').textContent()).toBe(`of ${basics.name}’s site`);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a visit shows the visitors the API holds, with digit grouping', async () => {
    // Enough visitors that grouping shows (in bursts of 25: dynalite on disk serialises one key).
    for (let burst = 0; burst < 40; burst++) {
      const responses = await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          fetch(`${server.url}/api/count?page=/`, {
            method: 'POST',
            headers: { 'user-agent': `${BROWSER_UA} burst/${burst}/${i}` },
          }),
        ),
      );
      expect(responses.every((res) => res.ok)).toBe(true);
    }
    const { context, page, errors } = await newVisitor();
    await page.goto(`${server.url}/`);
    await settled(page);
    expect(await count(page).getAttribute('data-state')).toBe('ready');
    expect(await page.locator('#visitor-count-label').textContent()).toBe('Visitors');
    const shown = await count(page).textContent();
    expect(shown).toBe((await apiVisitors()).toLocaleString('en-US'));
    expect(shown).toMatch(/^\d{1,3}(,\d{3})+$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a new visitor adds exactly one; a reload in the same session adds none', async () => {
    const before = await apiCounts();
    const first = await newVisitor();
    await first.page.goto(`${server.url}/`);
    await settled(first.page);
    expect(await apiCounts()).toMatchObject({
      visitors: before.visitors + 1,
      views: before.views + 1,
    });
    expect(await count(first.page).textContent()).toBe(
      (before.visitors + 1).toLocaleString('en-US'),
    );

    await first.page.reload();
    await settled(first.page);
    await first.page.goto(`${server.url}/`);
    await settled(first.page);
    expect(await apiCounts()).toMatchObject({
      visitors: before.visitors + 1,
      views: before.views + 1,
    });

    const second = await newVisitor();
    await second.page.goto(`${server.url}/`);
    await settled(second.page);
    expect(await apiCounts()).toMatchObject({
      visitors: before.visitors + 2,
      views: before.views + 2,
    });
    await first.context.close();
    await second.context.close();
  });

  test('opened from an application link (/r/SLUG), the resume counts one open on that link', async () => {
    const slug = `browser-${visitors + 1}`;
    await server.database.entities.link
      .create({ slug, page: '/', note: 'a test application', createdAt: new Date().toISOString() })
      .go();
    const visit = await newVisitor();
    await visit.page.goto(`${server.url}/r/${slug}`);
    await settled(visit.page);
    expect(new URL(visit.page.url()).search).toBe(`?via=${slug}`);
    // A reload in the same session is not another open.
    await visit.page.reload();
    await settled(visit.page);
    const days = async () =>
      (await server.database.entities.linkDay.query.bySlug({ slug }).go({ consistent: true })).data;
    expect(await days()).toMatchObject([{ opens: 1, visitors: 1 }]);
    expect(visit.errors).toEqual([]);
    await visit.context.close();
  });

  test('headless Chromium as it comes announces itself (HeadlessChrome) and counts as a bot', async () => {
    const before = await apiCounts();
    const headless = await browser.newContext();
    const page = await headless.newPage();
    expect(await page.evaluate(() => navigator.userAgent)).toContain('HeadlessChrome');
    await page.goto(`${server.url}/`);
    await settled(page);
    expect(await apiCounts()).toEqual({ ...before, bots: before.bots + 1 });
    await headless.close();
  });

  test('#footfall-ignore: the widget then only reads, says so once, and #footfall-count undoes it', async () => {
    const visit = await newVisitor();
    const methods: string[] = [];
    visit.page.on('request', (request) => {
      if (request.url().includes('/api/count')) methods.push(request.method());
    });
    const before = await apiCounts();
    await visit.page.goto(`${server.url}/#footfall-ignore`);
    await settled(visit.page);
    expect(await visit.page.locator('.footfall-notice').textContent()).toContain(
      'no longer counted',
    );
    // A new session of the same browser: still ignored (localStorage), and nothing said.
    await visit.page.evaluate(() => sessionStorage.clear());
    await visit.page.goto(`${server.url}/`);
    await settled(visit.page);
    expect(await visit.page.locator('.footfall-notice').count()).toBe(0);
    expect(methods).toEqual(['GET', 'GET']);
    expect(await apiCounts()).toEqual(before);
    // It still shows the number.
    expect(await count(visit.page).textContent()).toBe(before.visitors.toLocaleString('en-US'));

    await visit.page.goto('about:blank');
    await visit.page.goto(`${server.url}/#footfall-count`);
    await settled(visit.page);
    expect(methods).toEqual(['GET', 'GET', 'POST']);
    expect(await visit.page.locator('.footfall-notice').textContent()).toContain('counted again');
    expect(await apiCounts()).toMatchObject({ views: before.views + 1 });
    await visit.context.close();
  });

  test('a page on an origin not allowed cannot count through its visitors’ browsers (no-cors POSTs)', async () => {
    const before = await apiCounts();
    const hostile = serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () =>
        new Response(
          `<!doctype html><title>hostile</title><script>
            for (let i = 0; i < 10; i++)
              fetch(${JSON.stringify(`${server.url}/api/count?page=/`)}, { method: 'POST', mode: 'no-cors' });
          </script>`,
          { headers: { 'content-type': 'text/html' } },
        ),
    });
    await new Promise((resolve) => hostile.once('listening', resolve));
    const visit = await newVisitor();
    const posted: string[] = [];
    const seen = (outcome: string) => (request: Request) => {
      if (request.url().includes('/api/count')) posted.push(`${request.method()} ${outcome}`);
    };
    visit.page.on('requestfinished', seen('finished'));
    visit.page.on('requestfailed', (request) =>
      seen(`failed: ${request.failure()?.errorText}`)(request),
    );
    await visit.page.goto(`http://127.0.0.1:${(hostile.address() as AddressInfo).port}/`);
    await expect.poll(() => posted.length, { timeout: 10_000 }).toBe(10);
    // Each POST was sent and answered; the answer is then withheld from the page (CORP), which
    // is exactly why a count must not depend on the page reading it.
    for (const outcome of posted) {
      expect(outcome).toMatch(/^POST (finished|failed: net::ERR_BLOCKED_BY_RESPONSE)/);
    }
    // Opaque to the page, but the server saw a cross-site POST and refused it.
    expect(await apiCounts()).toEqual(before);
    await visit.context.close();
    await new Promise((resolve) => hostile.close(resolve));
  });

  test('the API answering 503 leaves the fallback, and no page error', async () => {
    // The real app's 503, from a store whose DynamoDB refuses connections.
    const down = testApp({ client: testClient(await refusingEndpoint()) });
    const visit = await newVisitor();
    await visit.page.route('**/api/count**', async (route) => {
      const res = await down.app.request(new URL(route.request().url()).pathname, {
        method: route.request().method(),
      });
      await route.fulfill({
        status: res.status,
        headers: Object.fromEntries(res.headers),
        body: await res.text(),
      });
    });
    await visit.page.goto(`${server.url}/`);
    await settled(visit.page);
    await expectFallback(visit.page);
    expect(visit.errors).toEqual([]);
    down.client.destroy();
    await visit.context.close();
  });

  test('the API never answering falls back after 5 s, and no page error', async () => {
    const visit = await newVisitor();
    await visit.page.route('**/api/count**', () => {
      // Never answered: the widget's own timeout must end the wait.
    });
    const started = Date.now();
    await visit.page.goto(`${server.url}/`);
    expect(await count(visit.page).getAttribute('data-state')).toBe('loading');
    await settled(visit.page);
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    await expectFallback(visit.page);
    expect(visit.errors).toEqual([]);
    await visit.context.close();
  });

  for (const width of [360, 320]) {
    test(`a ${width} px wide phone has no horizontal scroll`, async () => {
      const visit = await newVisitor({
        viewport: { width, height: 740 },
        isMobile: true,
        hasTouch: true,
      });
      await visit.page.goto(`${server.url}/`);
      await settled(visit.page);
      await expectNoHorizontalScroll(visit.page);
      await visit.context.close();
    });
  }

  test('printed, the page is the resume without the counter or the footer', async () => {
    const visit = await newVisitor();
    await visit.page.goto(`${server.url}/`);
    await settled(visit.page);
    await visit.page.emulateMedia({ media: 'print' });
    expect(await visit.page.locator('h1').isVisible()).toBe(true);
    expect(await visit.page.locator('main').isVisible()).toBe(true);
    // Every section the resume has (whichever they are).
    for (const heading of await visit.page.locator('main h2').all())
      expect(await heading.isVisible(), (await heading.textContent()) ?? '').toBe(true);
    expect(await count(visit.page).isVisible()).toBe(false);
    expect(await visit.page.locator('footer').isVisible()).toBe(false);
    const pdf = await visit.page.pdf({ format: 'A4' });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    await visit.context.close();
  });

  test('the count arriving shifts no layout', async () => {
    const visit = await newVisitor();
    await visit.context.addInitScript(() => {
      const shifts: number[] = [];
      Object.assign(window, { __shifts: shifts });
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries())
          shifts.push((entry as unknown as { value: number }).value);
      }).observe({ type: 'layout-shift', buffered: true });
    });
    await visit.page.goto(`${server.url}/`);
    await settled(visit.page);
    await visit.page.waitForTimeout(200);
    const shifts = await visit.page.evaluate(
      () => (window as unknown as { __shifts: number[] }).__shifts,
    );
    expect(shifts.reduce((sum, value) => sum + value, 0)).toBeLessThan(0.001);
    await visit.context.close();
  });

  test('a strict Content-Security-Policy is sent and the page works under it', async () => {
    const visit = await newVisitor();
    const response = await visit.page.goto(`${server.url}/`);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await settled(visit.page);
    expect(await count(visit.page).getAttribute('data-state')).toBe('ready');
    expect(
      visit.console.filter((line) => /Content Security Policy|Refused to/i.test(line)),
    ).toEqual([]);
    await visit.context.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe finds no serious or critical accessibility violation (${colorScheme})`, async () => {
      const visit = await newVisitor({ colorScheme });
      await visit.page.goto(`${server.url}/`);
      await settled(visit.page);
      const violations = await axeViolations(visit.page);
      if (violations.length > 0)
        console.info(`axe (${colorScheme}), minor or moderate:`, violations);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        [],
      );
      await visit.context.close();
    });
  }
});

describe.skipIf(!executable)('the stats page in Chromium', () => {
  const ready = (page: Page) =>
    page.locator('body[data-state="ready"]').waitFor({ timeout: 10_000 });

  /** A host as long as a source may be, all one word but its dots: 60 characters. */
  const longHost = `${'a'.repeat(48)}.example.org`;
  beforeAll(async () => {
    if (!executable) return;
    // Visits from a few places (a page's referrer, as the widget sends it), one visitor each.
    const referrers = [
      '',
      '',
      'https://www.linkedin.com/feed/',
      'https://www.linkedin.com/feed/',
      'https://www.google.de/',
      'https://news.ycombinator.com/item?id=1',
      `https://${longHost}/a/path`,
    ];
    for (const [i, ref] of referrers.entries()) {
      const res = await fetch(
        `${server.url}/api/count?page=/${ref ? `&ref=${encodeURIComponent(ref)}` : ''}`,
        { method: 'POST', headers: { 'user-agent': `${BROWSER_UA} sources/${i}` } },
      );
      expect(res.ok).toBe(true);
    }
  });

  /** The stats page's sources and countries are shown (the API has them). */
  async function expectBreakdowns(page: Page) {
    expect(await page.locator('#sources').isVisible()).toBe(true);
    expect(await page.locator('#countries').isVisible()).toBe(true);
    expect(await page.locator('#sources tbody th').allTextContents()).toContain(longHost);
  }

  interface Breakdown {
    views: number;
    visitors: number;
  }
  interface StatsBreakdowns {
    sources?: (Breakdown & { source: string })[];
    countries?: (Breakdown & { country: string })[];
  }
  /** The page's answer from /api/stats, changed on its way by `change`. */
  async function changeStats(page: Page, change: (stats: StatsBreakdowns) => StatsBreakdowns) {
    await page.route('**/api/stats?*', async (route) => {
      const response = await route.fetch();
      const stats = change((await response.json()) as StatsBreakdowns);
      await route.fulfill({ response, json: stats });
    });
  }

  test('the stats page draws the API’s numbers: chart, day table and pages agree with it', async () => {
    // Some traffic on two pages (a person's browser and a bot), so there is something to draw.
    const traffic: [string, string][] = [
      ['/', BROWSER_UA],
      ['/', `${BROWSER_UA} stats/1`],
      ['/projects/', BROWSER_UA],
      ['/', 'curl/8.5.0'],
    ];
    for (const [path, agent] of traffic) {
      await fetch(`${server.url}/api/count?page=${encodeURIComponent(path)}`, {
        method: 'POST',
        headers: { 'user-agent': agent },
      });
    }
    const visit = await newVisitor();
    await visit.page.goto(`${server.url}/stats/?days=7`);
    await ready(visit.page);
    const stats = (await (await fetch(`${server.url}/api/stats?days=7`)).json()) as {
      days: { date: string; views: number; visitors: number; bots: number }[];
      totals: { views: number; visitors: number; bots: number };
    };
    const rows = await visit.page
      .locator('#days tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    expect(rows).toEqual(
      stats.days.map((d) => [
        d.date,
        d.visitors.toLocaleString('en-US'),
        d.views.toLocaleString('en-US'),
        d.bots.toLocaleString('en-US'),
      ]),
    );
    for (const metric of ['visitors', 'views']) {
      const points = await visit.page
        .locator(`#chart polyline[data-metric="${metric}"]`)
        .getAttribute('points');
      expect(points?.split(' ')).toHaveLength(7);
    }
    expect(await visit.page.locator('#summary').textContent()).toContain(
      `${stats.totals.visitors.toLocaleString('en-US')} visitors`,
    );
    expect(await visit.page.locator('[data-days="7"]').getAttribute('aria-current')).toBe('page');
    const pages = (await (await fetch(`${server.url}/api/pages`)).json()) as {
      pages: { page: string }[];
    };
    expect(await visit.page.locator('#pages tbody th').allTextContents()).toEqual(
      pages.pages.map((p) => p.page),
    );
    expect(visit.errors).toEqual([]);
    expect(visit.console.filter((line) => /Refused to|error/i.test(line))).toEqual([]);
    await visit.context.close();
  });

  test('the stats page shows where visitors came from and their countries, as the API sends them, under the CSP', async () => {
    const visit = await newVisitor();
    await visit.context.addInitScript(() => {
      const violations: string[] = [];
      Object.assign(window, { __violations: violations });
      document.addEventListener('securitypolicyviolation', (event) =>
        violations.push(`${event.violatedDirective} ${event.sample}`),
      );
    });
    await visit.page.goto(`${server.url}/stats/?days=7`);
    await ready(visit.page);
    const stats = (await (
      await fetch(`${server.url}/api/stats?days=7`)
    ).json()) as Required<StatsBreakdowns>;
    const sourceNames = stats.sources.map((s) => s.source);
    expect(sourceNames).toEqual(expect.arrayContaining(['direct', 'linkedin.com', longHost]));
    expect(stats.countries.map((c) => c.country)).toContain('DE');

    const names = (s: { source: string }) =>
      s.source === 'direct' ? 'Direct (no referrer)' : s.source === 'other' ? 'Other' : s.source;
    const cells = (id: string) =>
      visit.page
        .locator(`#${id} tbody tr`)
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((cell) => cell.textContent)));
    expect(await cells('sources')).toEqual(
      stats.sources.map((s) => [
        names(s),
        s.visitors.toLocaleString('en-US'),
        s.views.toLocaleString('en-US'),
      ]),
    );
    const countries = await cells('countries');
    expect(countries).toHaveLength(stats.countries.length);
    expect(countries).toContainEqual([
      'Germany (DE)',
      expect.stringMatching(/^[\d,]+$/),
      expect.stringMatching(/^[\d,]+$/),
    ]);
    expect(await visit.page.locator('.none:visible').count()).toBe(0);

    // Each bar is as long as its row's views are of the most viewed row's, and hidden from
    // assistive technology (the numbers are in the row).
    const bars = await visit.page.locator('#sources tbody th').evaluateAll((cells) =>
      cells.map((cell) => {
        const bar = cell.querySelector('.bar');
        return {
          hidden: bar?.getAttribute('aria-hidden'),
          width: bar?.getBoundingClientRect().width ?? 0,
          cell:
            cell.getBoundingClientRect().width -
            Number.parseFloat(getComputedStyle(cell).paddingRight),
        };
      }),
    );
    const most = Math.max(...stats.sources.map((s) => s.views));
    for (const [i, bar] of bars.entries()) {
      expect(bar.hidden).toBe('true');
      const share = (stats.sources[i]?.views ?? 0) / most;
      expect(Math.abs(bar.width - Math.max(2, share * bar.cell))).toBeLessThan(1);
    }
    expect(
      await visit.page.evaluate(
        () => (window as unknown as { __violations: string[] }).__violations,
      ),
    ).toEqual([]);
    expect(visit.errors).toEqual([]);
    expect(visit.console.filter((line) => /Refused to|error/i.test(line))).toEqual([]);
    await visit.context.close();
  });

  test('an API without sources or countries (an older one) shows neither section, and no error', async () => {
    const visit = await newVisitor();
    await changeStats(visit.page, ({ sources: _, countries: __, ...older }) => older);
    await visit.page.goto(`${server.url}/stats/`);
    await ready(visit.page);
    expect(await visit.page.locator('#days tbody tr').count()).toBe(30);
    expect(await visit.page.locator('#sources').isHidden()).toBe(true);
    expect(await visit.page.locator('#countries').isHidden()).toBe(true);
    expect(visit.errors).toEqual([]);
    await visit.context.close();
  });

  test('no sources or countries yet: each section says "None yet", with no empty table', async () => {
    const visit = await newVisitor();
    await changeStats(visit.page, (stats) => ({ ...stats, sources: [], countries: [] }));
    await visit.page.goto(`${server.url}/stats/`);
    await ready(visit.page);
    for (const id of ['sources', 'countries']) {
      expect(await visit.page.locator(`#${id}`).isVisible()).toBe(true);
      expect(await visit.page.locator(`#${id} .none`).textContent()).toBe('None yet.');
      expect(await visit.page.locator(`#${id} table`).isHidden()).toBe(true);
    }
    expect(visit.errors).toEqual([]);
    await visit.context.close();
  });

  test('the stats page has no horizontal scroll at 320 px, a 60-character source shown', async () => {
    const visit = await newVisitor({ viewport: { width: 320, height: 740 }, isMobile: true });
    await visit.page.goto(`${server.url}/stats/`);
    await ready(visit.page);
    await expectBreakdowns(visit.page);
    await expectNoHorizontalScroll(visit.page);
    await visit.context.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    test(`axe finds no violation on the stats page (${colorScheme})`, async () => {
      const visit = await newVisitor({ colorScheme });
      await visit.page.goto(`${server.url}/stats/`);
      await ready(visit.page);
      await expectBreakdowns(visit.page);
      await visit.page.locator('details').evaluate((node) => {
        (node as HTMLDetailsElement).open = true;
      });
      expect(await axeViolations(visit.page)).toEqual([]);
      await visit.context.close();
    });
  }
});
