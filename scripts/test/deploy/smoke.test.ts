import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SMOKE_PAGE } from '../../../service/src/domain/smoke.js';
import { refusingEndpoint } from '../../../test/support/fault-proxy.js';
import { scratchDevServer, testApp, testClient } from '../../../test/support/index.js';
import { runSmoke } from '../../deploy/smoke/checks.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let server: Awaited<ReturnType<typeof scratchDevServer>>;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await scratchDevServer('smoke');
});
afterAll(async () => {
  for (const close of closers) await close();
  await server?.close();
});

/** A throwaway HTTP server on loopback for the failure cases. */
async function serveApp(app: Hono): Promise<string> {
  const http = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => http.once('listening', resolve));
  closers.push(() => new Promise((resolve) => http.close(() => resolve())));
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
}

const counts = async (page: string) =>
  (await (await fetch(`${server.url}/api/count?page=${encodeURIComponent(page)}`)).json()) as {
    views: number;
    bots: number;
  };

/** The CLI, as `npm run smoke -- …` runs it. */
function smokeCli(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'scripts/deploy/smoke/main.ts', ...args],
    {
      cwd: root,
    },
  );
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (out += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

const ADDS_ONE = 'POST /api/count from a bot adds exactly one bot and no view';

describe('smoke test', () => {
  test('passes against the dev server, counting one bot on its own key only', async () => {
    const realBefore = await counts('/');
    const smokeBefore = await counts(SMOKE_PAGE);
    const checks = await runSmoke(server.url);
    expect(checks.filter((check) => !check.ok)).toEqual([]);
    expect(checks.map((check) => check.name)).toContain(ADDS_ONE);
    expect(await counts(SMOKE_PAGE)).toMatchObject({
      views: smokeBefore.views,
      bots: smokeBefore.bots + 1,
    });
    expect(await counts('/')).toEqual(realBefore);
  });

  test('the CLI prints every check and exits 0', async () => {
    const { code, out } = await smokeCli(['--url', server.url]);
    expect(code).toBe(0);
    expect(out).toContain(`✓ ${ADDS_ONE}`);
    expect(out).toContain('smoke test passed');
  });

  test('a wrong URL fails, saying it cannot be reached', async () => {
    const nowhere = await refusingEndpoint();
    await expect(runSmoke(nowhere)).rejects.toThrow(/cannot reach .*ECONNREFUSED/);
    const { code, out } = await smokeCli(['--url', nowhere]);
    expect(code).toBe(1);
    expect(out).toContain('smoke test FAILED');
    expect((await smokeCli([])).code).toBe(2);
  });

  test('a site without the counter fails, saying so', async () => {
    const other = await serveApp(
      new Hono().get('/', (c) => c.html('<!doctype html><h1>Someone else</h1>')),
    );
    await expect(runSmoke(other)).rejects.toThrow(/no #visitor-count element/);
  });

  test('an API answering 5xx fails, saying which status', async () => {
    const down = testApp({ client: testClient(await refusingEndpoint()) });
    closers.push(async () => down.client.destroy());
    const page = await (await fetch(`${server.url}/`)).text();
    const broken = await serveApp(
      new Hono().get('/', (c) => c.html(page)).all('/api/*', (c) => down.app.fetch(c.req.raw)),
    );
    await expect(runSmoke(broken)).rejects.toThrow(/GET \/api\/count: the API answered 503/);
  });

  test('an API refusing CloudFront with 403 fails, naming the origin secret', async () => {
    // The function expects another origin secret than the one this "CloudFront" sends.
    const refusing = testApp({ originSecrets: ['a-secret-cloudfront-does-not-send-0123456789'] });
    closers.push(async () => refusing.client.destroy());
    const page = await (await fetch(`${server.url}/`)).text();
    const site = await serveApp(
      new Hono().get('/', (c) => c.html(page)).all('/api/*', (c) => refusing.app.fetch(c.req.raw)),
    );
    await expect(runSmoke(site)).rejects.toThrow(
      /GET \/api\/count: the API answered 403, expected 200: the function refuses the origin secret/,
    );
  });

  test('missing security headers fail their checks', async () => {
    const page = await (await fetch(`${server.url}/`)).text();
    const bare = await serveApp(
      new Hono()
        .get('/', (c) => c.html(page))
        .get('/assets/*', (c) => c.text(''))
        .all('/api/count', (c) => c.json({ page: SMOKE_PAGE, views: 1, bots: 1 })),
    );
    const checks = await runSmoke(bare);
    const failed = checks.filter((check) => !check.ok).map((check) => check.name);
    expect(failed).toEqual(
      expect.arrayContaining([
        'page sends content-security-policy',
        'API sends cache-control',
        ADDS_ONE,
      ]),
    );
  });
});
