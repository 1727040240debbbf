import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { FaultProxy } from '../../test/support/fault-proxy.js';
import {
  type FaultyApp,
  query,
  startFaultyApp,
  type TestApp,
  tableName,
  testApp,
  testClient,
  uniquePage,
  visitor,
} from '../../test/support/index.js';
import { writeNeverApplied } from '../src/db/client.js';
import { counterEntity } from '../src/db/entities/counter.js';
import { dynamodbLimits } from '../src/db/limits.js';
import { localCredentials, localRegion } from '../src/dev/local-dynamodb.js';

// What a retried ADD can and cannot guarantee (docs/adr/0005), shown on the wire.
let faulty: FaultyApp;
let proxy: FaultProxy;
let subject: TestApp;
const truth = testClient(); // straight to dynalite: what is really stored
beforeAll(async () => {
  faulty = await startFaultyApp();
  ({ proxy, subject } = faulty);
});
afterEach(() => {
  proxy.only = undefined;
  proxy.next = [];
});
afterAll(async () => {
  truth.destroy();
  await faulty.close();
});

async function stored(page: string): Promise<number> {
  const res = await testApp({ client: truth }).app.request(`/api/count${query(page)}`);
  return ((await res.json()) as { views: number }).views;
}

/** Faults meet only the page's own counter (the `ADD` a POST ends with); its other calls pass. */
function target(page: string) {
  proxy.only = (body) =>
    body.includes('"$counter_1"') && body.includes(page) && body.includes('UpdateExpression');
}

async function post(page: string) {
  target(page);
  const res = await subject.app.request(`/api/count${query(page)}`, {
    method: 'POST',
    headers: visitor(),
  });
  return { status: res.status, body: (await res.json()) as { views?: number } };
}

describe.sequential('retries', () => {
  test('POST /api/count retries throttling with backoff, then counts exactly once', async () => {
    const page = uniquePage('throttled');
    proxy.requests = 0;
    proxy.next = ['throttle', 'throttle'];
    const { status, body } = await post(page);
    expect(status).toBe(200);
    expect(body.views).toBe(1);
    expect(proxy.requests).toBe(3);
    expect(await stored(page)).toBe(1);
  });

  test('POST /api/count does not retry a write whose answer was lost after it was applied: 503, counted once', async () => {
    const page = uniquePage('applied-dropped');
    proxy.requests = 0;
    proxy.next = ['apply-then-drop'];
    const { status } = await post(page);
    expect(status).toBe(503);
    expect(proxy.requests).toBe(1);
    expect(await stored(page)).toBe(1);
  });

  test('POST /api/count does not retry a write that timed out after it was applied: 503, counted once', async () => {
    const page = uniquePage('applied-hung');
    proxy.requests = 0;
    proxy.next = ['apply-then-hang'];
    const started = performance.now();
    const { status } = await post(page);
    expect(status).toBe(503);
    expect(performance.now() - started).toBeLessThan(dynamodbLimits.requestTimeoutMs + 1_000);
    expect(proxy.requests).toBe(1);
    expect(await stored(page)).toBe(1);
  });

  test('POST /api/count does not retry a 500 (DynamoDB may or may not have applied it)', async () => {
    const page = uniquePage('server-error');
    proxy.requests = 0;
    proxy.next = ['server-error'];
    expect((await post(page)).status).toBe(503);
    expect(proxy.requests).toBe(1);
    expect(await stored(page)).toBe(0);
  });

  test('the foil: a plain SDK retry of the same lost answer counts the visit twice', async () => {
    const page = uniquePage('foil');
    target(page);
    proxy.requests = 0;
    proxy.next = ['apply-then-drop'];
    // The same entity on the SDK as it comes, without footfall's write-retry rule.
    const plain = new DynamoDBClient({
      endpoint: proxy.endpoint,
      region: localRegion,
      credentials: localCredentials,
    });
    await counterEntity({ client: plain, table: tableName() })
      .upsert({ page })
      .add({ views: 1 })
      .go();
    plain.destroy();
    expect(proxy.requests).toBe(2);
    expect(await stored(page)).toBe(2);
  });

  test('GET /api/count retries every failure: reads are safe to repeat', async () => {
    const page = uniquePage('read');
    await post(page);
    proxy.only = (body) => body.includes('"$counter_1"') && body.includes(page);
    for (const fault of ['server-error', 'drop', 'apply-then-drop'] as const) {
      proxy.requests = 0;
      proxy.next = [fault];
      const res = await subject.app.request(`/api/count${query(page)}`);
      expect(res.status, fault).toBe(200);
      expect(await res.json()).toMatchObject({ page, views: 1 });
      expect(proxy.requests, fault).toBe(2);
    }
  });

  test('a 200 from POST /api/count always means exactly one increment, whatever failed first', async () => {
    const page = uniquePage('mixed');
    const sequences = [
      [],
      ['throttle'],
      ['throttle', 'throttle'],
      ['apply-then-drop'],
      ['server-error'],
      ['drop'],
    ] as const;
    let successes = 0;
    for (const sequence of sequences) {
      proxy.next = [...sequence];
      const { status, body } = await post(page);
      if (status === 200) {
        successes++;
        expect(body.views).toBe(await stored(page));
      } else {
        expect(status).toBe(503);
      }
    }
    // Every 200 counted once; an ambiguous 503 may have counted once (apply-then-drop did).
    expect(await stored(page)).toBe(successes + 1);
    expect(successes).toBe(3);
  });

  test('which failures count as certainly unapplied', () => {
    const named = (name: string, extra: object = {}) =>
      Object.assign(new Error(name), { name, ...extra });
    expect(writeNeverApplied(named('ProvisionedThroughputExceededException'))).toBe(true);
    expect(writeNeverApplied(named('ThrottlingException'))).toBe(true);
    expect(writeNeverApplied(named('Error', { code: 'ECONNREFUSED' }))).toBe(true);
    expect(writeNeverApplied(named('Error', { code: 'ENOTFOUND' }))).toBe(true);
    expect(
      writeNeverApplied(
        named('TimeoutError', { message: 'the request socket did not establish a connection …' }),
      ),
    ).toBe(true);
    expect(
      writeNeverApplied(
        named('TimeoutError', {
          message: 'a request has exceeded the configured 1000 ms requestTimeout',
        }),
      ),
    ).toBe(false);
    expect(
      writeNeverApplied(
        named('ConditionalCheckFailedException', { $metadata: { httpStatusCode: 400 } }),
      ),
    ).toBe(true);
    expect(writeNeverApplied(named('Error', { code: 'ECONNRESET' }))).toBe(false);
    expect(
      writeNeverApplied(named('InternalServerError', { $metadata: { httpStatusCode: 500 } })),
    ).toBe(false);
  });

  test('no rejection went unhandled', () => {
    expect(faulty.unhandled).toEqual([]);
  });
});
