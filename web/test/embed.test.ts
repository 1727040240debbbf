import { readdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findChromium, launchChromium } from '../../test/support/chromium.js';
import { BROWSER_UA, scratchDevServer } from '../../test/support/index.js';
import { embedSnippet, PINNED_WIDGET_DIR, pinWidget } from '../build/embed.js';

// Another site (another origin) embedding the counter with the snippet `npm run build` prints.
const executable = findChromium();
if (!executable && process.env.REQUIRE_BROWSER === '1') {
  throw new Error(
    'REQUIRE_BROWSER=1 but no Chromium was found: install chromium or set CHROMIUM_PATH',
  );
}
if (!executable) console.warn('\n  EMBEDDING BROWSER TESTS SKIPPED: no Chromium found.\n');

let server: Awaited<ReturnType<typeof scratchDevServer>>;
let blog: ReturnType<typeof serve>;
let blogOrigin: string;
let browser: Browser;
/** The snippet, as built by the dev server for its own site. */
let snippet: string;

beforeAll(async () => {
  if (!executable) return;
  // The embedding site: its pages are the snippet, and a tampered copy of it.
  blog = serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch: (request) => {
      const { pathname } = new URL(request.url);
      const body = pathname.startsWith('/tampered/') ? tamper(snippet) : snippet;
      return new Response(
        `<!doctype html><html lang="en"><head><title>A blog</title></head><body>\n${body}</body></html>`,
        { headers: { 'content-type': 'text/html; charset=utf-8' } },
      );
    },
  });
  await new Promise((resolve) => blog.once('listening', resolve));
  blogOrigin = `http://127.0.0.1:${(blog.address() as AddressInfo).port}`;
  server = await scratchDevServer('embed', { env: { ALLOWED_ORIGINS: blogOrigin } });
  const [file] = await readdir(join(server.dir, 'site', PINNED_WIDGET_DIR));
  const bytes = await readFile(join(server.dir, 'site', PINNED_WIDGET_DIR, file ?? 'missing'));
  snippet = embedSnippet(pinWidget(bytes), server.url);
  browser = await launchChromium(executable);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
  await new Promise((resolve) => (blog ? blog.close(resolve) : resolve(undefined)));
});

/** The same snippet, but its integrity names other bytes (well-formed, wrong). */
function tamper(original: string): string {
  return original.replace(/integrity="sha384-[^"]+"/, () => {
    const other = pinWidget(new TextEncoder().encode('alert("not the widget")'));
    return `integrity="${other.integrity}"`;
  });
}

/** What the API holds for a page of the blog (an allowed site reads its own counts). */
async function blogCounts(page: string): Promise<{ views: number; visitors: number }> {
  const res = await fetch(`${server.url}/api/count?page=${encodeURIComponent(page)}`, {
    headers: { origin: blogOrigin },
  });
  return (await res.json()) as { views: number; visitors: number };
}

async function visit(path: string) {
  const context = await browser.newContext({ locale: 'en-US', userAgent: BROWSER_UA });
  const page = await context.newPage();
  const console: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  page.on('request', (request) => requests.push(`${request.method()} ${request.url()}`));
  await page.goto(`${blogOrigin}${path}`, { waitUntil: 'load' });
  return { context, page, console, requests };
}

const count = (page: Page) => page.locator('#visitor-count');

describe.skipIf(!executable)('another site embedding the pinned widget, in Chromium', () => {
  test('the snippet loads the widget from footfall’s origin, checked by its integrity, and it counts', async () => {
    expect(new URL(server.url).origin).not.toBe(blogOrigin);
    const before = await blogCounts('/post/');
    const { context, page, console, requests } = await visit('/post/');
    await page.locator('#visitor-count[data-state="ready"]').waitFor({ timeout: 10_000 });
    // The script came from footfall's origin, the pinned file, and the widget ran: it counted
    // this visit under the blog's own key and shows the blog's number.
    const script = await page.locator('script').getAttribute('src');
    expect(script).toMatch(
      new RegExp(`^${server.url}/${PINNED_WIDGET_DIR}/footfall-widget\\.[0-9a-f]{16}\\.js$`),
    );
    expect(requests).toContain(`GET ${script}`);
    expect(requests).toContain(`POST ${server.url}/api/count?page=%2Fpost%2F`);
    expect(await blogCounts('/post/')).toMatchObject({
      views: before.views + 1,
      visitors: before.visitors + 1,
    });
    expect(await count(page).textContent()).toBe(String(before.visitors + 1));
    expect(console.filter((line) => /integrity|CORS|blocked/i.test(line))).toEqual([]);
    await context.close();
  });

  test('a tampered integrity value: the browser refuses the script, nothing runs, nothing counts', async () => {
    const before = await blogCounts('/tampered/post/');
    const { context, page, console, requests } = await visit('/tampered/post/');
    // The script was fetched, then refused for its digest.
    await expect
      .poll(() => console.find((line) => /integrity/i.test(line)), { timeout: 10_000 })
      .toMatch(/Failed to find a valid digest in the 'integrity' attribute/);
    expect(requests.filter((line) => line.includes(`/${PINNED_WIDGET_DIR}/`))).toHaveLength(1);
    // Give a widget that did run every chance to show itself.
    await page.waitForTimeout(500);
    expect(requests.filter((line) => line.includes('/api/'))).toEqual([]);
    expect(await count(page).textContent()).toBe('…');
    expect(await count(page).getAttribute('data-state')).toBeNull();
    expect(await blogCounts('/tampered/post/')).toEqual(before);
    await context.close();
  });
});
