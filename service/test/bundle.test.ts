import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import {
  CREDENTIAL_CHAIN_PACKAGES,
  ENVIRONMENT_CREDENTIALS_PACKAGE,
} from '../../test/support/credential-chain.js';
import { startFaultProxy } from '../../test/support/fault-proxy.js';
import {
  BROWSER_UA,
  endpoint,
  stubLambdaEnvironment,
  uniquePage,
} from '../../test/support/index.js';
import {
  httpApiEventViaCloudFront,
  type LambdaResult,
  lambdaContext,
} from '../../test/support/lambda-events.js';
import { type BundleFile, bundleLambda, type LambdaBundle } from '../build/bundle.js';
import { lambdaEntry } from '../build/options.js';
import { ORIGIN_VERIFY_HEADER } from '../src/http/cloudfront.js';

// The bundle `npm run build` ships, built the same way into a scratch folder.
let outDir: string;
let bundle: LambdaBundle;
let outfile: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'footfall-bundle-'));
  bundle = await bundleLambda(lambdaEntry, join(outDir, 'lambda'));
  outfile = bundle.entry;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(outDir, { recursive: true, force: true });
});

/** The source files a set of the bundle's output files holds. */
const inputsOf = (files: readonly BundleFile[]) =>
  files.flatMap((file) => Object.keys(bundle.outputs.get(file.path)?.inputs ?? {}));
const holds = (inputs: readonly string[], name: string) =>
  inputs.some((path) => path.includes(`node_modules/${name}/`) || path.endsWith(name));
const loadedLater = () =>
  bundle.files.filter((file) => !bundle.loadedAtInit.some(({ path }) => path === file.path));

test('the Lambda bundle is minified ESM, index.mjs exporting handler, with every dependency inside', async () => {
  expect(bundle.files.map((file) => relative(dirname(outfile), file.path)).sort()).toEqual(
    expect.arrayContaining(['index.mjs']),
  );
  for (const file of bundle.files) {
    expect(relative(dirname(outfile), file.path)).toMatch(/^(index|chunks\/[\w-]+)\.mjs$/);
  }
  // Only Node built-ins stay outside: the AWS SDK and Hono are inside.
  const external = [...bundle.outputs.values()].flatMap((output) =>
    output.imports.filter((entry) => entry.external).map((entry) => entry.path),
  );
  expect(
    external.filter((path) => !path.startsWith('node:') && !builtinModules.includes(path)),
  ).toEqual([]);
  const atInit = inputsOf(bundle.loadedAtInit);
  // The Lambda's own stack, loaded at init: the SDK client, Hono, and ElectroDB as the data layer
  // with what it loads (docs/adr/0006).
  for (const name of [
    '@aws-sdk/client-dynamodb',
    'hono',
    'electrodb',
    '@aws-sdk/lib-dynamodb',
    '@aws-sdk/util-dynamodb',
  ]) {
    expect(holds(atInit, name), name).toBe(true);
  }
  // And nothing only local runs use, anywhere: each would cost cold-start time.
  const all = inputsOf(bundle.files);
  for (const name of ['dynalite', '@hono/node-server', 'tsx', 'vitest']) {
    expect(holds(all, name), name).toBe(false);
  }
  expect(bundle.outputs.get(outfile)?.exports).toEqual(['handler']);
  // Minified: a handful of very long lines.
  const code = await readFile(outfile, 'utf8');
  expect(code.split('\n').length).toBeLessThan(200);
});

test('what a visit never takes is not on its path: the stats, pages and badge routes, the SNS client, the SDK’s optional parts and Hono’s big routers load on first use, if ever', () => {
  const atInit = inputsOf(bundle.loadedAtInit);
  const later = inputsOf(loadedLater());
  for (const name of [
    'service/src/http/routes/stats.ts',
    'service/src/http/routes/pages.ts',
    'service/src/http/routes/badges.ts',
    'service/src/domain/badge.ts',
    '@aws-sdk/client-sns',
    'bowser',
    '@smithy/core/dist-es/submodules/event-streams',
  ]) {
    expect(holds(atInit, name), `${name} at init`).toBe(false);
    expect(holds(later, name), `${name} in a chunk`).toBe(true);
  }
  // `hono/quick` (a linear router, built fast): the regular-expression router is nowhere.
  expect(holds([...atInit, ...later], 'hono/dist/router/reg-exp-router'), 'RegExpRouter').toBe(
    false,
  );
  // A visit's own route and the link redirect are there from the start.
  for (const name of ['service/src/http/routes/count.ts', 'service/src/http/routes/redirect.ts']) {
    expect(holds(atInit, name), name).toBe(true);
  }
});

test('the Lambda bundle takes credentials from the environment only: no other provider, no nested clients', () => {
  const bundled = inputsOf(bundle.files);
  // None of the SDK's other providers, nor the clients they sign in with; the environment's
  // provider in their place (service/build/lambda-credentials.ts). The SNS client, loaded on the
  // first alert, is in the bundle too, so its credentials are covered.
  expect(holds(bundled, '@aws-sdk/client-sns')).toBe(true);
  for (const name of [...CREDENTIAL_CHAIN_PACKAGES, ENVIRONMENT_CREDENTIALS_PACKAGE]) {
    expect(holds(bundled, name), name).toBe(name === ENVIRONMENT_CREDENTIALS_PACKAGE);
  }
});

const SECRET = 'bundle-test-origin-secret-0123456789abcdef';

type BundledHandler = (event: unknown, context: unknown) => Promise<LambdaResult>;

/** A bundle's handler; `fresh` makes it a module of its own (its own Lambda environment). */
const handlerOf = async (entry: string, fresh = false) =>
  (
    (await import(`${pathToFileURL(entry).href}${fresh ? `?cold=${Date.now()}` : ''}`)) as {
      handler: BundledHandler;
    }
  ).handler;

interface BundledRequest {
  readonly method?: string;
  readonly path?: string;
  readonly query?: string;
  /** The viewer's address, as CloudFront reports it. */
  readonly viewer?: string;
  readonly userAgent?: string;
  /** The origin secret CloudFront sends; `false` for a request that did not come through it. */
  readonly secret?: string | false;
}

/** One request through CloudFront to a bundled handler: a person's POST /api/count unless told. */
const send = (
  handler: BundledHandler,
  {
    method = 'POST',
    path = '/api/count',
    query = '',
    viewer = '198.51.100.20',
    userAgent = BROWSER_UA,
    secret = SECRET,
  }: BundledRequest = {},
) =>
  handler(
    httpApiEventViaCloudFront({
      method,
      path,
      rawQueryString: query,
      headers: {
        'cloudfront-viewer-address': `${viewer}:50123`,
        'user-agent': userAgent,
        ...(secret ? { [ORIGIN_VERIFY_HEADER]: secret } : {}),
      },
    }),
    lambdaContext,
  );

test('the bundled handler answers a POST /api/count event against dynalite', async () => {
  stubLambdaEnvironment({ ORIGIN_SECRETS: SECRET });
  const handler = await handlerOf(outfile);
  const page = uniquePage('bundle');
  const query = `page=${encodeURIComponent(page)}`;
  // The viewer as CloudFront saw it: two visits from one address, one from another, one bot.
  const post = async (viewer: string, userAgent = BROWSER_UA) => {
    const result = await send(handler, { query, viewer, userAgent });
    expect(result.statusCode).toBe(200);
    return JSON.parse(result.body);
  };
  // Not through CloudFront: refused, so it cannot pick the address it is counted under.
  expect((await send(handler, { query, viewer: '198.51.100.29', secret: false })).statusCode).toBe(
    403,
  );
  expect(await post('198.51.100.20')).toEqual({
    page,
    views: 1,
    visitors: 1,
    bots: 0,
    counted: 'visitor',
  });
  expect(await post('198.51.100.20')).toMatchObject({ views: 2, visitors: 1, counted: 'view' });
  expect(await post('2001:db8:77::1')).toMatchObject({ views: 3, visitors: 2, counted: 'visitor' });
  expect(await post('198.51.100.21', 'curl/8.5.0')).toMatchObject({
    views: 3,
    visitors: 2,
    bots: 1,
    counted: 'bot',
  });
});

test('the bundled handler fetches the day’s salt during its init, and keeps its connection: the first visit waits for neither', async () => {
  const proxy = await startFaultProxy(endpoint());
  try {
    stubLambdaEnvironment({ ORIGIN_SECRETS: SECRET, DYNAMODB_ENDPOINT: proxy.endpoint });
    // A module of its own (its own Lambda environment): the import is the function's init.
    const handler = await handlerOf(outfile, true);
    const salts = (from: number) =>
      proxy.seen.slice(from).filter((request) => request.body.includes('$salt_1'));
    expect(salts(0).length).toBeGreaterThanOrEqual(1);
    // And the connections that fetched it stay open for the first visit (keep-alive).
    expect(proxy.open).toBeGreaterThanOrEqual(1);
    const opened = proxy.connections;

    const before = proxy.seen.length;
    const result = await send(handler, {
      query: `page=${encodeURIComponent(uniquePage('cold'))}`,
      viewer: '198.51.100.30',
    });
    expect(result.statusCode).toBe(200);
    expect(proxy.seen.length).toBeGreaterThan(before);
    expect(salts(before)).toEqual([]);
    // At least one of its requests went over a connection the init opened.
    expect(proxy.connections - opened).toBeLessThan(proxy.seen.length - before);
  } finally {
    await proxy.close();
  }
});

test('a visit needs only the files loaded at init; the other routes read their chunks when first asked', async () => {
  stubLambdaEnvironment({ ORIGIN_SECRETS: SECRET });
  const page = uniquePage('chunks');
  const query = `page=${encodeURIComponent(page)}`;

  // A copy holding only what the init loads: a visit is counted all the same.
  const initOnly = join(outDir, 'init-only');
  for (const file of bundle.loadedAtInit) {
    const to = join(initOnly, relative(dirname(outfile), file.path));
    await mkdir(dirname(to), { recursive: true });
    await copyFile(file.path, to);
  }
  const trimmed = await handlerOf(join(initOnly, 'index.mjs'));
  const viewer = '198.51.100.40';
  const counted = await send(trimmed, { query, viewer });
  expect(counted.statusCode).toBe(200);
  expect(JSON.parse(counted.body)).toMatchObject({ page, views: 1, counted: 'visitor' });
  // Its stats route would need a chunk it lacks: the app's JSON 500, not a crash.
  const missing = await send(trimmed, { method: 'GET', path: '/api/stats', query, viewer });
  expect(missing.statusCode).toBe(500);
  expect(JSON.parse(missing.body)).toMatchObject({ error: { code: 'internal_error' } });

  // The whole bundle reads them when first asked.
  const handler = await handlerOf(outfile);
  const get = (path: string, query = '') => send(handler, { method: 'GET', path, query, viewer });
  const stats = await get('/api/stats', query);
  expect(stats.statusCode).toBe(200);
  expect(JSON.parse(stats.body)).toMatchObject({ page, totals: { views: 1 } });
  const badge = await get('/api/badge.svg', query);
  expect(badge.statusCode).toBe(200);
  expect(badge.body).toContain('<svg');
  expect((await get('/api/pages')).statusCode).toBe(200);
});
