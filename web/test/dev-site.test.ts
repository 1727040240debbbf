import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../service/src/config.js';
import { type DevServer, startDevServer } from '../../service/src/dev/server.js';
import { copyFixtureSite, escaped, fixtureResume } from '../../test/support/fixture-site.js';
import { PINNED_WIDGET_DIR } from '../build/embed.js';

// The dev server on a copy of web/ (with the tests' resume), so the test can edit what it watches.
let scratch: string;
let webDir: string;
let server: DevServer;
const lines: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'footfall-dev-site-'));
  webDir = await copyFixtureSite(join(scratch, 'web'));
  server = await startDevServer(
    loadConfig({ PORT: '0', FOOTFALL_DATA_DIR: join(scratch, 'data') }),
    {
      webDir,
      siteDir: join(scratch, 'site'),
      log: (line) => lines.push(line),
    },
  );
});
afterAll(async () => {
  await server?.close();
  await rm(scratch, { recursive: true, force: true });
});

const page = async () => (await fetch(`${server.url}/`)).text();

async function eventually(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}; dev server said: ${lines.join(' | ')}`);
}

async function editResume(edit: (resume: { basics: { name: string } }) => void) {
  const file = join(webDir, 'resume.json');
  const resume = JSON.parse(await readFile(file, 'utf8'));
  edit(resume);
  await writeFile(file, JSON.stringify(resume, null, 2));
}

test('GET / serves the built page with a strict CSP and revalidation; hashed assets are immutable', async () => {
  const res = await fetch(`${server.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('content-security-policy')).toMatch(
    /default-src 'none'; script-src 'self'; style-src 'self'/,
  );
  expect(res.headers.get('cache-control')).toBe('no-cache');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  const html = await res.text();
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)?.[1];
  const asset = await fetch(`${server.url}${script}`);
  expect(asset.status).toBe(200);
  expect(asset.headers.get('content-type')).toMatch(/javascript/);
  expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  // The embeddable copy can be loaded by a <script> on another site.
  const embed = await fetch(`${server.url}/footfall-widget.js`);
  expect(embed.status).toBe(200);
  expect(embed.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  const missing = await fetch(`${server.url}/assets/nope.js`);
  expect(missing.status).toBe(404);
  expect(missing.headers.get('cache-control')).toBe('no-cache');
});

test('the pinned widget answers any origin (ACAO *) as JavaScript cached for a year; the stable one is as before', async () => {
  const [file, ...others] = await readdir(join(scratch, 'site', PINNED_WIDGET_DIR));
  expect(others).toEqual([]);
  const path = `/${PINNED_WIDGET_DIR}/${file}`;
  // As a <script crossorigin> on another site asks for it.
  const res = await fetch(`${server.url}${path}`, {
    headers: { origin: 'https://blog.example', 'sec-fetch-mode': 'cors' },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
  expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(await res.text()).toBe(await (await fetch(`${server.url}/footfall-widget.js`)).text());
  // Nothing but the pinned folder is opened to CORS; a missing pinned file is not cached.
  const stable = await fetch(`${server.url}/footfall-widget.js`, {
    headers: { origin: 'https://blog.example' },
  });
  expect(stable.headers.get('access-control-allow-origin')).toBeNull();
  expect(stable.headers.get('cache-control')).toBe('no-cache');
  const missing = await fetch(`${server.url}/${PINNED_WIDGET_DIR}/footfall-widget.0000.js`);
  expect(missing.status).toBe(404);
  expect(missing.headers.get('access-control-allow-origin')).toBeNull();
  expect(missing.headers.get('cache-control')).toBe('no-cache');
});

test('editing web/ rebuilds the site; a broken edit keeps the last good page and says why', async () => {
  // The tests' resume, then someone else.
  const { name } = (await fixtureResume()).basics;
  expect(await page()).toContain(`<h1>${escaped(name)}</h1>`);
  const renamed = `${name} Renamed`;

  await editResume((resume) => {
    resume.basics.name = renamed;
  });
  await eventually(
    async () => (await page()).includes(`<h1>${escaped(renamed)}</h1>`),
    'the rebuilt page',
  );

  await editResume((resume) => {
    (resume.basics as Record<string, unknown>).email = 'no-at-sign';
  });
  await eventually(
    async () => lines.some((line) => line.includes('basics.email')),
    'the build error',
  );
  expect(await page()).toContain(`<h1>${escaped(renamed)}</h1>`);
});
