import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
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
import { bundleLambda } from '../build/bundle.js';
import { lambdaEntry } from '../build/options.js';
import { ORIGIN_VERIFY_HEADER } from '../src/http/cloudfront.js';

// The bundle `npm run build` ships, built the same way into a scratch folder.
let outDir: string;
let outfile: string;
let metafile: Metafile;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'footfall-bundle-'));
  outfile = join(outDir, 'index.mjs');
  metafile = await bundleLambda(lambdaEntry, outfile);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await rm(outDir, { recursive: true, force: true });
});

test('the Lambda bundle is one minified ESM file with every dependency inside', async () => {
  const [output, ...others] = Object.values(metafile.outputs);
  expect(others).toEqual([]);
  // Only Node built-ins stay outside: the AWS SDK and Hono are inside.
  const external = output?.imports.filter((entry) => entry.external).map((entry) => entry.path);
  expect(
    external?.filter((path) => !path.startsWith('node:') && !builtinModules.includes(path)),
  ).toEqual([]);
  const bundled = Object.keys(output?.inputs ?? {});
  // The Lambda's own stack: the SDK client, Hono, and ElectroDB as the data layer with what it
  // loads (docs/adr/0006).
  for (const name of [
    '@aws-sdk/client-dynamodb',
    'hono',
    'electrodb',
    '@aws-sdk/lib-dynamodb',
    '@aws-sdk/util-dynamodb',
  ]) {
    expect(
      bundled.some((path) => path.includes(`node_modules/${name}/`)),
      name,
    ).toBe(true);
  }
  // And nothing only local runs use: each would cost cold-start time.
  for (const name of ['dynalite', '@hono/node-server', 'tsx', 'vitest']) {
    expect(
      bundled.filter((path) => path.includes(`node_modules/${name}/`)),
      name,
    ).toEqual([]);
  }
  expect(output?.exports).toEqual(['handler']);
  // Minified: a handful of very long lines.
  const code = await readFile(outfile, 'utf8');
  expect(code.split('\n').length).toBeLessThan(200);
});

test('the Lambda bundle takes credentials from the environment only: no other provider, no nested clients', () => {
  const bundled = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
  // None of the SDK's other providers, nor the clients they sign in with; the environment's
  // provider in their place (service/build/lambda-credentials.ts). The SNS client, loaded on the
  // first alert, is in this file too, so its credentials are covered.
  expect(bundled.some((path) => path.includes('node_modules/@aws-sdk/client-sns/'))).toBe(true);
  for (const name of [...CREDENTIAL_CHAIN_PACKAGES, ENVIRONMENT_CREDENTIALS_PACKAGE]) {
    expect(
      bundled.some((path) => path.includes(`node_modules/${name}/`)),
      name,
    ).toBe(name === ENVIRONMENT_CREDENTIALS_PACKAGE);
  }
});

const SECRET = 'bundle-test-origin-secret-0123456789abcdef';

test('the bundled handler answers a POST /api/count event against dynalite', async () => {
  stubLambdaEnvironment({ ORIGIN_SECRETS: SECRET });
  const { handler } = (await import(pathToFileURL(outfile).href)) as {
    handler: (event: unknown, context: unknown) => Promise<LambdaResult>;
  };
  const page = uniquePage('bundle');
  // The viewer as CloudFront saw it: two visits from one address, one from another, one bot.
  const send = (viewer: string, userAgent: string, secret: string | undefined) =>
    handler(
      httpApiEventViaCloudFront({
        method: 'POST',
        path: '/api/count',
        rawQueryString: `page=${encodeURIComponent(page)}`,
        headers: {
          'cloudfront-viewer-address': `${viewer}:50123`,
          'user-agent': userAgent,
          ...(secret ? { [ORIGIN_VERIFY_HEADER]: secret } : {}),
        },
      }),
      lambdaContext,
    );
  const post = async (viewer: string, userAgent = BROWSER_UA) => {
    const result = await send(viewer, userAgent, SECRET);
    expect(result.statusCode).toBe(200);
    return JSON.parse(result.body);
  };
  // Not through CloudFront: refused, so it cannot pick the address it is counted under.
  expect((await send('198.51.100.29', BROWSER_UA, undefined)).statusCode).toBe(403);
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

test('the bundled handler fetches the day’s salt during its init: the first visit waits for no salt', async () => {
  const proxy = await startFaultProxy(endpoint());
  try {
    stubLambdaEnvironment({ ORIGIN_SECRETS: SECRET, DYNAMODB_ENDPOINT: proxy.endpoint });
    // A module of its own (its own Lambda environment): the import is the function's init.
    const { handler } = (await import(`${pathToFileURL(outfile).href}?cold=${Date.now()}`)) as {
      handler: (event: unknown, context: unknown) => Promise<LambdaResult>;
    };
    const salts = (from: number) =>
      proxy.seen.slice(from).filter((request) => request.body.includes('$salt_1'));
    expect(salts(0).length).toBeGreaterThanOrEqual(1);

    const before = proxy.seen.length;
    const result = await handler(
      httpApiEventViaCloudFront({
        method: 'POST',
        path: '/api/count',
        rawQueryString: `page=${encodeURIComponent(uniquePage('cold'))}`,
        headers: {
          'cloudfront-viewer-address': '198.51.100.30:50123',
          'user-agent': BROWSER_UA,
          [ORIGIN_VERIFY_HEADER]: SECRET,
        },
      }),
      lambdaContext,
    );
    expect(result.statusCode).toBe(200);
    expect(proxy.seen.length).toBeGreaterThan(before);
    expect(salts(before)).toEqual([]);
  } finally {
    await proxy.close();
  }
});
