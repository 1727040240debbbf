import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../test/fault-proxy.js';
import {
  endpoint,
  query,
  type TestApp,
  testApp,
  testClient,
  uniquePage,
} from '../../test/support.js';

// The proxy in 'pass' mode forwards everything to dynalite and counts what crosses the wire.
let proxy: FaultProxy;
let subject: TestApp;
beforeAll(async () => {
  proxy = await startFaultProxy(endpoint());
  subject = testApp({ client: testClient(proxy.endpoint) });
});
afterAll(async () => {
  subject.client.destroy();
  await proxy.close();
});

async function requestsFor(method: string, path: string): Promise<number> {
  const before = proxy.requests;
  const res = await subject.app.request(path, { method });
  expect(res.status).toBeLessThan(500);
  return proxy.requests - before;
}

test('POST /api/count makes exactly one DynamoDB request, first hit or not', async () => {
  const page = uniquePage();
  expect(await requestsFor('POST', `/api/count${query(page)}`)).toBe(1);
  expect(await requestsFor('POST', `/api/count${query(page)}`)).toBe(1);
});

test('GET /api/count makes exactly one DynamoDB request, counted page or not', async () => {
  const page = uniquePage();
  expect(await requestsFor('GET', `/api/count${query(page)}`)).toBe(1);
  await requestsFor('POST', `/api/count${query(page)}`);
  expect(await requestsFor('GET', `/api/count${query(page)}`)).toBe(1);
});

test('rejected requests and /api/health make no DynamoDB request', async () => {
  expect(await requestsFor('POST', '/api/count?page=nope')).toBe(0);
  expect(await requestsFor('DELETE', '/api/count')).toBe(0);
  expect(await requestsFor('GET', '/api/health')).toBe(0);
  expect(await requestsFor('GET', '/api/unknown')).toBe(0);
});
