import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../test/fault-proxy.js';
import {
  endpoint,
  query,
  type TestApp,
  testApp,
  testClient,
  uniquePage,
  visitor,
} from '../../test/support.js';
import { BOT_USER_AGENTS } from '../../test/user-agents.js';

// The proxy in 'pass' mode forwards everything to dynalite and counts what crosses the wire.
let proxy: FaultProxy;
let subject: TestApp;
beforeAll(async () => {
  proxy = await startFaultProxy(endpoint());
  subject = testApp({
    client: testClient(proxy.endpoint),
    viewsPerAddressPerDay: 2,
    excludedAddresses: ['192.0.2.0/24'],
  });
});
afterAll(async () => {
  subject.client.destroy();
  await proxy.close();
});

async function requestsFor(
  method: string,
  path: string,
  headers: Record<string, string> = visitor(),
): Promise<number> {
  const before = proxy.requests;
  const res = await subject.app.request(path, { method, headers });
  expect(res.status).toBeLessThan(500);
  return proxy.requests - before;
}

test('POST /api/count from a person: four DynamoDB requests (mark, page, page’s day, site’s day), plus the day’s salt once', async () => {
  const page = uniquePage();
  // The first POST of a Lambda environment's day also fetches (or creates) the day's salt.
  expect(await requestsFor('POST', `/api/count${query(page)}`)).toBe(5);
  expect(await requestsFor('POST', `/api/count${query(page)}`)).toBe(4);
  expect(
    await requestsFor('POST', `/api/count${query(uniquePage())}`, visitor('198.51.100.9')),
  ).toBe(4);
});

test('POST /api/count from a bot: three (page, page’s day, site’s day); excluded: one read', async () => {
  expect(
    await requestsFor(
      'POST',
      `/api/count${query(uniquePage())}`,
      visitor(undefined, BOT_USER_AGENTS[0]),
    ),
  ).toBe(3);
  expect(await requestsFor('POST', `/api/count${query(uniquePage())}`, visitor('192.0.2.1'))).toBe(
    1,
  );
});

test('POST /api/count over the limit: the mark and a read, then only the read', async () => {
  const page = uniquePage();
  const who = visitor('198.51.100.77');
  await requestsFor('POST', `/api/count${query(page)}`, who);
  await requestsFor('POST', `/api/count${query(page)}`, who);
  expect(await requestsFor('POST', `/api/count${query(page)}`, who)).toBe(2);
  // This environment now remembers the address is limited on this page today.
  expect(await requestsFor('POST', `/api/count${query(page)}`, who)).toBe(1);
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
  expect(
    await requestsFor('POST', `/api/count${query(uniquePage())}`, {
      ...visitor(),
      origin: 'https://evil.example',
    }),
  ).toBe(0);
});
