import axe from 'axe-core';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChromium, launchChromium } from '../../test/chromium.js';
import { refusingEndpoint } from '../../test/fault-proxy.js';
import { scratchDevServer, testApp, testClient } from '../../test/support.js';

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

let server: Awaited<ReturnType<typeof scratchDevServer>>;
let browser: Browser;

beforeAll(async () => {
  if (!executable) return;
  server = await scratchDevServer('browser');
  browser = await launchChromium(executable);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** What the API says, read directly (GET never counts). */
async function apiViews(page = '/'): Promise<number> {
  const res = await fetch(`${server.url}/api/count?page=${encodeURIComponent(page)}`);
  return ((await res.json()) as { views: number }).views;
}

interface Visit {
  context: BrowserContext;
  page: Page;
  errors: Error[];
  console: string[];
}

/** A new visitor: a fresh browser context is a fresh session. */
async function newVisitor(options: BrowserContextOptions = {}): Promise<Visit> {
  const context = await browser.newContext({ locale: 'en-US', ...options });
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
const settled = (page: Page) =>
  page.locator('#visitor-count:not([data-state="loading"])').waitFor({ timeout: 10_000 });

describe.skipIf(!executable)('the resume page in Chromium', () => {
  test('a visit shows the count the API holds, with digit grouping', async () => {
    // Enough visits that grouping shows (in bursts of 25: dynalite on disk serialises one key).
    for (let burst = 0; burst < 40; burst++) {
      const responses = await Promise.all(
        Array.from({ length: 25 }, () =>
          fetch(`${server.url}/api/count?page=/`, { method: 'POST' }),
        ),
      );
      expect(responses.every((res) => res.ok)).toBe(true);
    }
    const { context, page, errors } = await newVisitor();
    await page.goto(`${server.url}/`);
    await settled(page);
    expect(await count(page).getAttribute('data-state')).toBe('ready');
    const shown = await count(page).textContent();
    expect(shown).toBe((await apiViews()).toLocaleString('en-US'));
    expect(shown).toMatch(/^\d{1,3}(,\d{3})+$/);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a new visitor adds exactly one; a reload in the same session adds none', async () => {
    const before = await apiViews();
    const first = await newVisitor();
    await first.page.goto(`${server.url}/`);
    await settled(first.page);
    expect(await apiViews()).toBe(before + 1);
    expect(await count(first.page).textContent()).toBe((before + 1).toLocaleString('en-US'));

    await first.page.reload();
    await settled(first.page);
    await first.page.goto(`${server.url}/`);
    await settled(first.page);
    expect(await apiViews()).toBe(before + 1);
    expect(await count(first.page).textContent()).toBe((before + 1).toLocaleString('en-US'));

    const second = await newVisitor();
    await second.page.goto(`${server.url}/`);
    await settled(second.page);
    expect(await apiViews()).toBe(before + 2);
    await first.context.close();
    await second.context.close();
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
      const { scrollWidth, innerWidth } = await visit.page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
      }));
      expect(scrollWidth).toBeLessThanOrEqual(innerWidth);
      await visit.context.close();
    });
  }

  test('printed, the page is the resume without the counter or the footer', async () => {
    const visit = await newVisitor();
    await visit.page.goto(`${server.url}/`);
    await settled(visit.page);
    await visit.page.emulateMedia({ media: 'print' });
    expect(await visit.page.locator('h1').isVisible()).toBe(true);
    expect(await visit.page.locator('#experience-heading').isVisible()).toBe(true);
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
      // Evaluated over the DevTools protocol, which the page's CSP does not govern.
      await visit.page.evaluate(axe.source);
      const violations = await visit.page.evaluate(async () => {
        const results = await (window as unknown as { axe: typeof axe }).axe.run(document, {
          resultTypes: ['violations'],
        });
        return results.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.length,
        }));
      });
      if (violations.length > 0)
        console.info(`axe (${colorScheme}), minor or moderate:`, violations);
      expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual(
        [],
      );
      await visit.context.close();
    });
  }
});
