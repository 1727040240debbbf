import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  type AwsStandIn,
  type FunctionVersion,
  startAwsStandIn,
} from '../../test/support/aws-stand-in.js';
import {
  CREDENTIAL_CHAIN_PACKAGES,
  ENVIRONMENT_CREDENTIALS_PACKAGE,
} from '../../test/support/credential-chain.js';
import { refusingEndpoint } from '../../test/support/fault-proxy.js';
import { query, stubLambdaEnvironment, testApp } from '../../test/support/index.js';
import { bundleLambda, bytesLoadedAtInit, type LambdaBundle } from '../build/bundle.js';
import { lambdaEntry, preTrafficHookEntry } from '../build/options.js';
import { SMOKE_PAGE } from '../src/domain/smoke.js';

// The hook's real handler, with its real SDK clients, against a stand-in Lambda that runs the real
// API bundle (on dynalite, checking the origin secret) and versions of it broken on purpose,
// and a stand-in CodeDeploy that records what it is told (test/support/aws-stand-in.ts).

type Hook = (event: unknown) => Promise<string>;

const SECRET = 'pre-traffic-test-origin-secret-0123456789abcdef';
const FUNCTION = 'arn:aws:lambda:eu-west-1:111111111111:function:Footfall-ApiFunction-abc';
const VERSIONS = {
  good: `${FUNCTION}:1`,
  serverError: `${FUNCTION}:2`,
  throws: `${FUNCTION}:3`,
  countsTwice: `${FUNCTION}:4`,
  silent: `${FUNCTION}:5`,
  silentPost: `${FUNCTION}:6`,
} as const;
// Generous for versions that answer (a loaded machine must not fail a good one); short for the
// ones that never do, so their tests are quick. The read before a hung write gets a little more.
const CHECK_TIMEOUT_MS = 5_000;
const SHORT_TIMEOUT_MS = 300;
const WRITE_TIMEOUT_MS = 1_000;

let outDir: string;
let hookBundle: LambdaBundle;
let aws: AwsStandIn;
let hook: Hook;
let lines: string[] = [];

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'footfall-hook-'));
  const [apiBundle, hookBuilt] = await Promise.all([
    bundleLambda(lambdaEntry, join(outDir, 'api')),
    bundleLambda(preTrafficHookEntry, join(outDir, 'hook')),
  ]);
  hookBundle = hookBuilt;

  // The API bundle reads its environment once, at import: dynalite, and the origin secret.
  stubLambdaEnvironment({ ORIGIN_SECRETS: SECRET });
  const api = (await import(pathToFileURL(apiBundle.entry).href)) as { handler: FunctionVersion };
  const good = api.handler;
  const isPost = (event: unknown) =>
    (event as { requestContext: { http: { method: string } } }).requestContext.http.method ===
    'POST';

  aws = await startAwsStandIn({
    functions: {
      [VERSIONS.good]: good,
      // Storage down, or a bug behind every route: the app's own 500 answer.
      [VERSIONS.serverError]: async () => ({
        statusCode: 500,
        headers: { 'content-type': 'application/json' },
        body: '{"error":{"code":"internal_error","message":"something went wrong on our side"}}',
        isBase64Encoded: false,
      }),
      // A version that cannot even start: Lambda answers with a function error.
      [VERSIONS.throws]: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'send')");
      },
      // A version whose POST counts every visit twice, and says so.
      [VERSIONS.countsTwice]: async (event, context) => {
        if (isPost(event)) await good(event, context);
        return good(event, context);
      },
      // Never answers (a hung dependency without a deadline).
      [VERSIONS.silent]: () => new Promise(() => {}),
      // Reads, but hangs on a write.
      [VERSIONS.silentPost]: (event, context) =>
        isPost(event) ? new Promise(() => {}) : good(event, context),
    },
  });
  ({ handler: hook } = (await import('../src/pre-traffic-hook.js')) as { handler: Hook });
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await aws?.close();
  await rm(outDir, { recursive: true, force: true });
});

beforeEach(() => {
  // What CDK gives the hook's function, with both AWS APIs pointed at the local ones.
  stubLambdaEnvironment({
    ORIGIN_SECRETS: SECRET,
    TARGET_FUNCTION: VERSIONS.good,
    CHECK_TIMEOUT_MS: String(CHECK_TIMEOUT_MS),
    AWS_ENDPOINT_URL_LAMBDA: aws.endpoint,
    AWS_ENDPOINT_URL_CODEDEPLOY: aws.endpoint,
  });
  aws.reports.length = 0;
  lines = [];
  const capture = (line: unknown) => void lines.push(String(line));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'error').mockImplementation(capture);
});

afterEach(() => {
  vi.restoreAllMocks();
  // Whatever happened, the secret is never written to the logs.
  expect(lines.join('\n')).not.toContain(SECRET);
});

/** The hook's JSON log lines (the API bundle's own lines too, when it logs). */
const logs = () =>
  lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });

/** Runs the hook as CodeDeploy would, for a fresh hook execution. */
async function runHook(env: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const event = { DeploymentId: 'd-EXAMPLE111', LifecycleEventHookExecutionId: randomUUID() };
  const started = performance.now();
  const status = await hook(event);
  return { event, status, ms: performance.now() - started };
}

/** The one report CodeDeploy got, for `event`'s hook execution. */
function reportedOnce(event: { DeploymentId: string; LifecycleEventHookExecutionId: string }) {
  expect(aws.reports).toHaveLength(1);
  const [report] = aws.reports;
  expect(report).toMatchObject({
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    signed: true,
  });
  return report?.status;
}

const failedLine = () => logs().find((entry) => entry.msg === 'pre-traffic check failed');

async function smokeCounts() {
  const res = await testApp().app.request(`/api/count${query(SMOKE_PAGE)}`);
  return (await res.json()) as { views: number; visitors: number; bots: number };
}

test('a good version passes every check; Succeeded is reported once; one more bot on the smoke key', async () => {
  const before = await smokeCounts();
  const { event, status } = await runHook();
  expect(status).toBe('Succeeded');
  expect(reportedOnce(event)).toBe('Succeeded');
  // The version that was asked is the one named by TARGET_FUNCTION, once per check.
  expect(aws.invoked.slice(-4)).toEqual(Array(4).fill(VERSIONS.good));
  expect(await smokeCounts()).toEqual({ ...before, bots: before.bots + 1 });
  expect(
    logs()
      .filter((entry) => entry.msg === 'pre-traffic check passed')
      .map((entry) => entry.check),
  ).toEqual(['health', 'read', 'increment', 'bad-request']);
  expect(logs().at(-1)).toMatchObject({ msg: 'reported', status: 'Succeeded' });
});

describe('a bad version fails, and Failed is reported once', () => {
  test('one answering 500: the health check fails', async () => {
    const { event, status } = await runHook({ TARGET_FUNCTION: VERSIONS.serverError });
    expect(status).toBe('Failed');
    expect(reportedOnce(event)).toBe('Failed');
    expect(failedLine()).toMatchObject({ check: 'health' });
    expect(failedLine()?.reason).toMatch(/^answered 500: .*internal_error/);
    // It stopped there: nothing was counted against a version already refused.
    expect(aws.invoked.at(-1)).toBe(VERSIONS.serverError);
    expect(aws.invoked.filter((name) => name === VERSIONS.serverError)).toHaveLength(1);
  });

  test('one that throws: a function error fails the health check', async () => {
    const { event } = await runHook({ TARGET_FUNCTION: VERSIONS.throws });
    expect(reportedOnce(event)).toBe('Failed');
    expect(failedLine()).toMatchObject({
      check: 'health',
      reason:
        "the function failed (Unhandled): TypeError: Cannot read properties of undefined (reading 'send')",
    });
  });

  test('one answering a wrong count: the increment check fails', async () => {
    const before = await smokeCounts();
    const { event } = await runHook({ TARGET_FUNCTION: VERSIONS.countsTwice });
    expect(reportedOnce(event)).toBe('Failed');
    expect(failedLine()).toMatchObject({ check: 'increment' });
    expect(failedLine()?.reason).toContain(`bots ${before.bots} → ${before.bots + 2}`);
  });

  test('one that never answers: the first check times out after CHECK_TIMEOUT_MS', async () => {
    const { event, ms } = await runHook({
      TARGET_FUNCTION: VERSIONS.silent,
      CHECK_TIMEOUT_MS: String(SHORT_TIMEOUT_MS),
    });
    expect(reportedOnce(event)).toBe('Failed');
    expect(failedLine()).toMatchObject({
      check: 'health',
      reason: `no answer within ${SHORT_TIMEOUT_MS} ms`,
    });
    // It gave up on time, rather than waiting for the SDK's or Lambda's own limits.
    expect(ms).toBeLessThan(SHORT_TIMEOUT_MS + 2_000);
  });

  test('one that hangs on a write: the increment check times out', async () => {
    const { event } = await runHook({
      TARGET_FUNCTION: VERSIONS.silentPost,
      CHECK_TIMEOUT_MS: String(WRITE_TIMEOUT_MS),
    });
    expect(reportedOnce(event)).toBe('Failed');
    expect(failedLine()).toMatchObject({
      check: 'increment',
      reason: `no answer within ${WRITE_TIMEOUT_MS} ms`,
    });
  });

  test('one with another origin secret: it answers 403, and the health check fails', async () => {
    // The hook is given a secret the function does not accept (as if the two were out of step).
    const { event } = await runHook({
      ORIGIN_SECRETS: 'another-origin-secret-0123456789abcdef-0123',
    });
    expect(reportedOnce(event)).toBe('Failed');
    expect(failedLine()).toMatchObject({ check: 'health' });
    expect(failedLine()?.reason).toMatch(/^answered 403, expected 200 \(does the hook have/);
  });
});

describe('the hook reports whatever goes wrong', () => {
  test('Lambda unreachable: Failed is reported', async () => {
    const { event } = await runHook({ AWS_ENDPOINT_URL_LAMBDA: await refusingEndpoint() });
    expect(reportedOnce(event)).toBe('Failed');
    expect(failedLine()).toMatchObject({ check: 'health' });
    expect(failedLine()?.reason).toMatch(/^the invocation failed: /);
  });

  test('TARGET_FUNCTION an alias, not a version: Failed is reported, naming the variable', async () => {
    const { event } = await runHook({ TARGET_FUNCTION: `${FUNCTION}:live` });
    expect(reportedOnce(event)).toBe('Failed');
    expect(logs()).toContainEqual(
      expect.objectContaining({
        msg: 'pre-traffic checks could not run',
        reason: expect.stringMatching(
          /^ConfigError: .*TARGET_FUNCTION: .*:live" is not a function version's ARN/,
        ),
      }),
    );
    // Nothing was invoked with it.
    expect(aws.invoked).not.toContain(`${FUNCTION}:live`);
  });

  test('CodeDeploy unreachable: the handler throws, so Lambda retries the hook', async () => {
    await expect(
      runHook({ AWS_ENDPOINT_URL_CODEDEPLOY: await refusingEndpoint() }),
    ).rejects.toThrow();
    expect(logs().at(-1)).toMatchObject({ msg: 'could not report to CodeDeploy' });
  });

  test('an event that is not a CodeDeploy lifecycle event is refused, with nothing to report to', async () => {
    await expect(hook({ Records: [] })).rejects.toThrow(/not a CodeDeploy lifecycle hook event/);
    expect(aws.reports).toEqual([]);
  });
});

describe('the hook bundle', () => {
  test('is ESM exporting handler, with both AWS clients, environment credentials and nothing of the API inside', async () => {
    const outputs = [...hookBundle.outputs.values()];
    const entry = hookBundle.outputs.get(hookBundle.entry);
    expect(entry?.exports).toEqual(['handler']);
    const external = outputs.flatMap((output) =>
      output.imports.filter((entry) => entry.external).map((entry) => entry.path),
    );
    expect(
      external.filter((path) => !path.startsWith('node:') && !builtinModules.includes(path)),
    ).toEqual([]);
    const bundled = outputs.flatMap((output) => Object.keys(output.inputs));
    for (const name of ['@aws-sdk/client-lambda', '@aws-sdk/client-codedeploy']) {
      expect(
        bundled.some((path) => path.includes(`node_modules/${name}/`)),
        name,
      ).toBe(true);
    }
    // The hook asks the API through Lambda; it carries none of the API's own stack.
    for (const name of ['hono', 'electrodb', '@aws-sdk/client-dynamodb', 'dynalite']) {
      expect(
        bundled.filter((path) => path.includes(`node_modules/${name}/`)),
        name,
      ).toEqual([]);
    }
    // Credentials from the environment only, as the API's (service/build/lambda-credentials.ts).
    for (const name of [...CREDENTIAL_CHAIN_PACKAGES, ENVIRONMENT_CREDENTIALS_PACKAGE]) {
      expect(
        bundled.some((path) => path.includes(`node_modules/${name}/`)),
        name,
      ).toBe(name === ENVIRONMENT_CREDENTIALS_PACKAGE);
    }
    const size = bytesLoadedAtInit(hookBundle);
    console.info(`pre-traffic hook bundle, loaded at init: ${(size / 1024).toFixed(1)} KiB`);
    expect(size).toBeLessThan(1024 * 1024);
  });

  test('imports, and passes a good version as the source does', async () => {
    const bundled = (await import(pathToFileURL(hookBundle.entry).href)) as { handler: Hook };
    const before = await smokeCounts();
    const event = { DeploymentId: 'd-EXAMPLE222', LifecycleEventHookExecutionId: randomUUID() };
    expect(await bundled.handler(event)).toBe('Succeeded');
    expect(reportedOnce(event)).toBe('Succeeded');
    expect((await smokeCounts()).bots).toBe(before.bots + 1);
  });
});
