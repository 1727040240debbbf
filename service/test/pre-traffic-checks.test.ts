import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, test } from 'vitest';
import { SMOKE_PAGE } from '../src/domain/smoke.js';
import { isBot } from '../src/domain/visitor.js';
import { ORIGIN_VERIFY_HEADER } from '../src/http/cloudfront.js';
import {
  type HookStatus,
  type Invocation,
  runChecks,
  runPreTrafficHook,
} from '../src/pre-traffic/checks.js';
import { loadHookConfig } from '../src/pre-traffic/config.js';
import { preTrafficHookWorstCaseMs, preTrafficLimits } from '../src/pre-traffic/limits.js';

// The verdicts on answers no real version gives easily (the hook's end-to-end tests, against the
// real API bundle, are in pre-traffic-hook.test.ts). A version here is a table of answers.

const SECRET = 'checks-test-origin-secret-0123456789abcdef';
const smoke = `page=${encodeURIComponent(SMOKE_PAGE)}`;

const http = (statusCode: number, body: unknown, extra: Record<string, unknown> = {}) => ({
  payload: JSON.stringify({
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    ...extra,
  }),
});

/** A version that answers as footfall does, but for `overrides` (by "METHOD path?query"). */
function version(overrides: Record<string, Invocation> = {}) {
  const answers: Record<string, Invocation> = {
    'GET /api/health': http(200, { ok: true }),
    [`GET /api/count?${smoke}`]: http(200, { page: SMOKE_PAGE, views: 2, visitors: 1, bots: 4 }),
    [`POST /api/count?${smoke}`]: http(200, {
      page: SMOKE_PAGE,
      views: 2,
      visitors: 1,
      bots: 5,
      counted: 'bot',
    }),
    'GET /api/count?page=no-slash': http(400, {
      error: { code: 'invalid_page', message: 'page must start with "/"' },
    }),
    ...overrides,
  };
  const events: APIGatewayProxyEventV2[] = [];
  const invoke = async (event: APIGatewayProxyEventV2) => {
    events.push(event);
    const key = `${event.requestContext.http.method} ${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
    const answer = answers[key];
    if (!answer) throw new Error(`no answer for ${key}`);
    return answer;
  };
  return { invoke, events };
}

async function check(overrides: Record<string, Invocation> = {}) {
  const logs: Record<string, unknown>[] = [];
  const { invoke, events } = version(overrides);
  const outcome = await runChecks({
    invoke,
    timeoutMs: 1_000,
    originSecret: SECRET,
    log: (entry) => logs.push(entry),
  });
  return { outcome, logs, events };
}

test('a version answering as footfall does passes, one log line per check', async () => {
  const { outcome, logs } = await check();
  expect(outcome).toEqual({ ok: true });
  expect(logs.map((entry) => [entry.check, entry.msg])).toEqual([
    ['health', 'pre-traffic check passed'],
    ['read', 'pre-traffic check passed'],
    ['increment', 'pre-traffic check passed'],
    ['bad-request', 'pre-traffic check passed'],
  ]);
});

test('the events are HTTP API 2.0 events as CloudFront sends them: secret, viewer address, a bot', async () => {
  const { events } = await check();
  const [health, , post] = events;
  expect(health).toMatchObject({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/api/health',
    requestContext: { http: { method: 'GET', path: '/api/health' }, stage: '$default' },
    isBase64Encoded: false,
  });
  expect(health?.headers[ORIGIN_VERIFY_HEADER]).toBe(SECRET);
  expect(health?.headers['cloudfront-viewer-address']).toMatch(/^192\.0\.2\.\d+:\d+$/);
  expect(post?.queryStringParameters).toEqual({ page: SMOKE_PAGE });
  expect(post?.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  // Counted as a bot, never as a person.
  expect(isBot(post?.headers['user-agent'])).toBe(true);
});

test('without a secret, no origin header is sent', async () => {
  const { invoke, events } = version();
  await runChecks({ invoke, timeoutMs: 1_000, log: () => {} });
  expect(events[0]?.headers).not.toHaveProperty(ORIGIN_VERIFY_HEADER);
});

test('a base64-encoded answer is read like any other', async () => {
  const body = Buffer.from('{"ok":true}').toString('base64');
  const { outcome } = await check({
    'GET /api/health': http(200, body, { isBase64Encoded: true }),
  });
  expect(outcome).toEqual({ ok: true });
});

describe('each wrong answer fails its check with a one-line reason', () => {
  test.each([
    [
      'a payload that is not an HTTP response',
      { 'GET /api/health': { payload: '{"message":"Internal Server Error"}' } },
      'health',
      /^the function's answer is not an HTTP response: \{"message"/,
    ],
    [
      'a payload that is not JSON',
      { 'GET /api/health': { payload: 'Task timed out\nafter 3.00 seconds' } },
      'health',
      /^the function's answer is not an HTTP response: Task timed out after/,
    ],
    [
      'a health body other than {"ok":true}',
      { 'GET /api/health': http(200, { ok: false }) },
      'health',
      /^expected \{"ok":true\}, got \{"ok":false\}$/,
    ],
    [
      'a read of another page',
      { [`GET /api/count?${smoke}`]: http(200, { page: '/', views: 1, visitors: 1, bots: 0 }) },
      'read',
      /^expected \{"page":"\/__footfall-smoke__",/,
    ],
    [
      'a read answering 404',
      { [`GET /api/count?${smoke}`]: http(404, { error: { code: 'not_found' } }) },
      'read',
      /^answered 404, expected 200: /,
    ],
    [
      'a POST counting a view instead of a bot',
      {
        [`POST /api/count?${smoke}`]: http(200, {
          page: SMOKE_PAGE,
          views: 3,
          visitors: 2,
          bots: 4,
          counted: 'visitor',
        }),
      },
      'increment',
      /^a bot's POST should add exactly one bot: bots 4 → 4, views 2 → 3/,
    ],
    [
      'a POST counting a bot as a view too',
      {
        [`POST /api/count?${smoke}`]: http(200, {
          page: SMOKE_PAGE,
          views: 3,
          visitors: 1,
          bots: 5,
          counted: 'bot',
        }),
      },
      'increment',
      /^a bot's POST should add exactly one bot: bots 4 → 5, views 2 → 3/,
    ],
    [
      'a POST that does not say it counted a bot',
      {
        [`POST /api/count?${smoke}`]: http(200, {
          page: SMOKE_PAGE,
          views: 2,
          visitors: 1,
          bots: 5,
        }),
      },
      'increment',
      /counted undefined$/,
    ],
    [
      'a bad page accepted',
      { 'GET /api/count?page=no-slash': http(200, { page: 'no-slash', views: 0 }) },
      'bad-request',
      /^answered 200, expected 400: /,
    ],
    [
      'a bad page refused without a JSON error',
      { 'GET /api/count?page=no-slash': http(400, 'Bad Request') },
      'bad-request',
      /^expected a JSON error with code invalid_page, got Bad Request$/,
    ],
  ])('%s', async (_, overrides, failed, reason) => {
    const { outcome, logs } = await check(overrides);
    expect(outcome).toMatchObject({
      ok: false,
      check: failed,
      reason: expect.stringMatching(reason),
    });
    const line = logs.at(-1);
    expect(line).toMatchObject({ level: 'error', msg: 'pre-traffic check failed', check: failed });
    expect(String(line?.reason)).not.toMatch(/\n/);
  });

  test('a very long answer is cut, to stay one short line', async () => {
    const { outcome } = await check({ 'GET /api/health': http(503, 'x'.repeat(5_000)) });
    expect(outcome).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^answered 503: x+…$/),
    });
    expect(outcome.ok ? '' : outcome.reason).toHaveLength(300);
  });
});

describe('runPreTrafficHook', () => {
  const hook = async (checks: () => Promise<{ ok: true }>, report = async () => {}) => {
    const reported: HookStatus[] = [];
    const status = await runPreTrafficHook({
      checks,
      report: async (status) => {
        reported.push(status);
        await report();
      },
      log: () => {},
    });
    return { status, reported };
  };

  test('reports Succeeded when the checks pass', async () => {
    expect(await hook(async () => ({ ok: true }))).toEqual({
      status: 'Succeeded',
      reported: ['Succeeded'],
    });
  });

  test('reports Failed when the checks throw', async () => {
    expect(
      await hook(async () => {
        throw new Error('boom');
      }),
    ).toEqual({ status: 'Failed', reported: ['Failed'] });
  });

  test('rejects when the report fails', async () => {
    await expect(
      hook(
        async () => ({ ok: true }),
        async () => {
          throw new Error('CodeDeploy unreachable');
        },
      ),
    ).rejects.toThrow('CodeDeploy unreachable');
  });
});

describe('loadHookConfig', () => {
  const target = 'arn:aws:lambda:eu-west-1:111111111111:function:Footfall-ApiFunction-abc:7';

  test('reads the target, the first origin secret and the timeout', () => {
    expect(
      loadHookConfig({
        TARGET_FUNCTION: target,
        ORIGIN_SECRETS: `${SECRET}, previous-origin-secret-0123456789abcdef`,
        CHECK_TIMEOUT_MS: '800',
      }),
    ).toEqual({ targetFunction: target, originSecret: SECRET, checkTimeoutMs: 800 });
  });

  test('defaults: no secret, a 5-second timeout', () => {
    expect(loadHookConfig({ TARGET_FUNCTION: target })).toEqual({
      targetFunction: target,
      originSecret: undefined,
      checkTimeoutMs: 5_000,
    });
  });

  test.each([
    [{}, /TARGET_FUNCTION: "" is not a function version's ARN/],
    [{ TARGET_FUNCTION: target.replace(/:7$/, '') }, /TARGET_FUNCTION/],
    [{ TARGET_FUNCTION: target.replace(/:7$/, ':$LATEST') }, /TARGET_FUNCTION/],
    [{ TARGET_FUNCTION: target, ORIGIN_SECRETS: 'short' }, /ORIGIN_SECRETS: each secret/],
    [{ TARGET_FUNCTION: target, CHECK_TIMEOUT_MS: '5s' }, /CHECK_TIMEOUT_MS: "5s"/],
    [{ TARGET_FUNCTION: target, CHECK_TIMEOUT_MS: '0' }, /CHECK_TIMEOUT_MS/],
  ])('refuses %o, on one line', (env, message) => {
    expect(() => loadHookConfig(env)).toThrow(message);
    expect(() => loadHookConfig(env)).toThrow(/^invalid configuration: [^\n]*$/);
  });
});

test('the worst case of one run leaves the report room within a minute, by default', () => {
  // Every check just in time, then every report attempt timing out.
  expect(preTrafficHookWorstCaseMs()).toBe(
    4 * 5_000 + preTrafficLimits.reportAttempts * (2_000 + 5_000) + 1_000,
  );
  expect(preTrafficHookWorstCaseMs()).toBeLessThan(60_000);
});
