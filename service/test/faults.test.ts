import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type FaultMode,
  type FaultProxy,
  refusingEndpoint,
} from '../../test/support/fault-proxy.js';
import {
  type FaultyApp,
  query,
  startFaultyApp,
  type TestApp,
  testApp,
  testClient,
  uniquePage,
  visitor,
} from '../../test/support/index.js';
import { dynamodbLimits } from '../src/db/limits.js';
import { RETRY_AFTER_SECONDS } from '../src/http/app.js';

/** The promise of the issue: a failing dependency becomes a 503 within this bound. */
const BOUND_MS = 5_000;

let faulty: FaultyApp;
let proxy: FaultProxy;
let subject: TestApp;
beforeAll(async () => {
  faulty = await startFaultyApp();
  ({ proxy, subject } = faulty);
  // The day's salts are fetched before the faults begin, as a Lambda's init fetches them.
  await subject.ready;
});
afterAll(() => faulty.close());

async function expectUnavailable(res: Response, startedAt: number) {
  const elapsed = performance.now() - startedAt;
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe(String(RETRY_AFTER_SECONDS));
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  // Exactly this body: nothing of the AWS error, the stack or our internals reaches the client.
  expect(await res.json()).toEqual({
    error: {
      code: 'storage_unavailable',
      message: 'the counter is unavailable; try again shortly',
    },
  });
  expect(elapsed).toBeLessThan(BOUND_MS);
  return elapsed;
}

const all = dynamodbLimits.maxAttempts;
const failures: [FaultMode, string, { GET: number; POST: number }][] = [
  // mode, what DynamoDB does, requests the SDK makes before giving up: a GET's one read, a
  // POST's first write (the visitor's record for the day; the page's read beside it passes).
  // Reads retry every failure; a write retries only failures that certainly changed nothing
  // (ADR 0005).
  ['throttle', 'throttles every request', { GET: all, POST: all }],
  ['server-error', 'answers 500', { GET: all, POST: 1 }],
  ['hang', 'accepts and never answers', { GET: all, POST: 1 }],
  ['drop', 'drops the connection', { GET: all, POST: 1 }],
];

describe.sequential('DynamoDB failing', () => {
  for (const [mode, what, attempts] of failures) {
    for (const method of ['GET', 'POST'] as const) {
      test(`${method} /api/count is 503 with Retry-After when DynamoDB ${what}`, async () => {
        const page = uniquePage(mode);
        proxy.only = method === 'GET' ? undefined : (body) => body.includes('$visitor_1');
        proxy.mode = mode;
        proxy.requests = 0;
        const startedAt = performance.now();
        const res = await subject.app.request(`/api/count${query(page)}`, {
          method,
          headers: visitor(),
        });
        await expectUnavailable(res, startedAt);
        // Retried with backoff, and bounded.
        expect(proxy.requests).toBe(attempts[method]);
        // The cause goes to the log, for the operator (the 503 itself is counted after it).
        expect(subject.logs.filter((line) => line.level === 'warn').at(-1)).toMatchObject({
          level: 'warn',
          msg: method === 'GET' ? 'counter read failed' : 'counter visitor failed',
          cause: expect.anything(),
        });

        // The same app serves normally as soon as DynamoDB does.
        proxy.mode = 'pass';
        proxy.only = undefined;
        const after = await subject.app.request(`/api/count${query(page)}`, {
          method: 'POST',
          headers: visitor(),
        });
        expect(after.status).toBe(200);
        // None of these failures reaches dynalite's storage, so the failed request (GET or
        // POST) counted nothing: this POST is the page's first view.
        expect(await after.json()).toMatchObject({ page, views: 1 });
      });
    }
  }

  test('POST /api/count is 503 within the bound when DynamoDB refuses connections', async () => {
    const refused = testApp({ client: testClient(await refusingEndpoint()) });
    const startedAt = performance.now();
    await expectUnavailable(
      await refused.app.request('/api/count', { method: 'POST', headers: visitor() }),
      startedAt,
    );
    expect(JSON.stringify(refused.logs)).toContain('ECONNREFUSED');
    refused.client.destroy();
  });

  test('a burst of requests against a hung DynamoDB all end in 503 within the bound', async () => {
    proxy.mode = 'hang';
    const startedAt = performance.now();
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        subject.app.request(`/api/count${query(uniquePage('burst'))}`, {
          method: 'POST',
          headers: visitor(),
        }),
      ),
    );
    for (const res of responses) await expectUnavailable(res, startedAt);
    proxy.mode = 'pass';
  });

  test('no unhandled rejection escaped any of the failures', () => {
    expect(faulty.unhandled).toEqual([]);
  });
});
