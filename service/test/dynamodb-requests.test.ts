import { afterAll, beforeAll, expect, test } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../test/support/fault-proxy.js';
import {
  endpoint,
  query,
  type TestApp,
  testApp,
  uniquePage,
  visitor,
  visitsTableName,
} from '../../test/support/index.js';
import {
  type CountingClient,
  countingClient,
  countRoundTrips,
} from '../../test/support/round-trips.js';
import { BOT_USER_AGENTS } from '../../test/support/user-agents.js';

// Every request a route makes, and how many round trips it waits for, counted on the wire: the
// app's DynamoDB client goes through a proxy that holds DynamoDB's answers until the app can
// send nothing more without them (test/support/round-trips.ts). ADR 12.
let proxy: FaultProxy;
let wire: CountingClient;
let subject: TestApp;
beforeAll(async () => {
  proxy = await startFaultProxy(endpoint());
  wire = countingClient(proxy);
  subject = testApp({
    client: wire.client,
    viewsPerAddressPerDay: 2,
    newPagesPerAddressPerDay: 50,
    excludedAddresses: ['192.0.2.0/24'],
  });
  await subject.ready;
});
afterAll(async () => {
  wire.client.destroy();
  await proxy.close();
});

const BOT = BOT_USER_AGENTS[0];

/** Sends one request, which must answer `status`, and counts the DynamoDB requests it made. */
async function measure(
  method: string,
  path: string,
  status: number,
  headers: Record<string, string> = visitor(),
  app: TestApp = subject,
) {
  const { value, roundTrips, requests } = await countRoundTrips(proxy, wire, async () => {
    const res = await app.app.request(path, { method, headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  });
  expect(value.status, JSON.stringify(value.body)).toBe(status);
  const operations = requests.map((request) => request.operation).sort();
  return { ...value, roundTrips, operations, requests };
}

const update = 'UpdateItem';
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const read = 'GetItem';

test('POST /api/count: a visitor this instance counted on the page today is one round trip of four one-item writes', async () => {
  const page = uniquePage('returning');
  const who = visitor('198.51.100.21');
  await measure('POST', `/api/count${query(page)}`, 200, who);
  const again = await measure('POST', `/api/count${query(page)}`, 200, who);
  expect(again.body).toMatchObject({ views: 2, visitors: 1, counted: 'view' });
  expect(again.roundTrips).toBe(1);
  // The address's view quota, the page's counter, its day and the site's day.
  expect(again.operations).toEqual([update, update, update, update]);
});

test('POST /api/count: a first visit is two round trips: who they are (with the quota), then the counts', async () => {
  const page = uniquePage('first');
  // The page exists and this instance knows it.
  await measure('POST', `/api/count${query(page)}`, 200, visitor('198.51.100.22'));
  const first = await measure('POST', `/api/count${query(page)}`, 200, visitor('198.51.100.23'));
  expect(first.body).toMatchObject({ views: 2, visitors: 2, counted: 'visitor' });
  expect(first.roundTrips).toBe(2);
  // The visitor's day and the view quota; then the page, its day and the site's day.
  expect(first.operations).toEqual([update, update, update, update, update]);

  // A page this instance has not seen yet is read beside them, in the same first round trip.
  const fresh = testApp({ client: wire.client, viewsPerAddressPerDay: 2 });
  await fresh.ready;
  const elsewhere = await measure(
    'POST',
    `/api/count${query(page)}`,
    200,
    visitor('198.51.100.24'),
    fresh,
  );
  expect(elsewhere.body).toMatchObject({ views: 3, visitors: 3, counted: 'visitor' });
  expect(elsewhere.roundTrips).toBe(2);
  expect(elsewhere.operations).toEqual([read, update, update, update, update, update]);
});

test('POST /api/count: the first visit after a cold start is two round trips; the day’s salt came with the start', async () => {
  const page = uniquePage('cold');
  await measure('POST', `/api/count${query(page)}`, 200, visitor('198.51.100.25'));
  const before = proxy.seen.length;
  const cold = testApp({ client: wire.client, viewsPerAddressPerDay: 2 });
  await cold.ready; // a Lambda's init: the function's module awaits it
  const atStart = proxy.seen.slice(before);
  expect(atStart.some((request) => request.body.includes('$salt_1'))).toBe(true);

  const first = await measure(
    'POST',
    `/api/count${query(page)}`,
    200,
    visitor('198.51.100.26'),
    cold,
  );
  expect(first.body).toMatchObject({ counted: 'visitor' });
  expect(first.roundTrips).toBe(2);
  expect(first.requests.some((request) => request.body.includes('$salt_1'))).toBe(false);
});

test('POST /api/count: the visit that creates a page reserves it first (three round trips)', async () => {
  const created = await measure(
    'POST',
    `/api/count${query(uniquePage('new'))}`,
    200,
    visitor('198.51.100.27'),
  );
  expect(created.body).toMatchObject({ views: 1, visitors: 1, counted: 'visitor' });
  expect(created.roundTrips).toBe(3);
  // Visitor, quota, the page read; the address's and the site's page quotas; the counts.
  expect(created.operations).toEqual([
    read,
    update,
    update,
    update,
    update,
    update,
    update,
    update,
  ]);
});

test('POST /api/count from a bot: one round trip to a page known here; a page nobody counted costs one conditional write and the site’s day', async () => {
  const page = uniquePage('bot');
  await measure('POST', `/api/count${query(page)}`, 200, visitor('198.51.100.28'));
  const bot = await measure('POST', `/api/count${query(page)}`, 200, visitor('198.51.100.29', BOT));
  expect(bot.body).toMatchObject({ bots: 1, counted: 'bot' });
  expect(bot.roundTrips).toBe(1);
  expect(bot.operations).toEqual([update, update, update]);

  const junk = await measure(
    'POST',
    `/api/count${query(uniquePage('junk'))}`,
    200,
    visitor('198.51.100.29', BOT),
  );
  expect(junk.body).toMatchObject({ views: 0, bots: 0, counted: 'bot' });
  expect(junk.roundTrips).toBe(1);
  expect(junk.operations).toEqual([update, update]);
});

test('POST /api/count from an excluded address, or one this instance knows is over its limit: one read', async () => {
  const page = uniquePage('read-only');
  expect(
    (await measure('POST', `/api/count${query(page)}`, 200, visitor('192.0.2.1'))).operations,
  ).toEqual([read]);

  const who = visitor('198.51.100.77');
  await measure('POST', `/api/count${query(page)}`, 200, who);
  await measure('POST', `/api/count${query(page)}`, 200, who);
  // The second view filled the address's quota (2): this instance refuses the third unasked.
  const limited = await measure('POST', `/api/count${query(page)}`, 200, who);
  expect(limited.body).toMatchObject({ views: 2, counted: 'limited' });
  expect(limited.roundTrips).toBe(1);
  expect(limited.operations).toEqual([read]);
});

test('GET /api/count makes exactly one DynamoDB request, counted page or not', async () => {
  const page = uniquePage();
  expect((await measure('GET', `/api/count${query(page)}`, 200)).operations).toEqual([read]);
  await measure('POST', `/api/count${query(page)}`, 200);
  expect((await measure('GET', `/api/count${query(page)}`, 200)).operations).toEqual([read]);
});

test('rejected requests and /api/health make no DynamoDB request', async () => {
  const none = async (
    method: string,
    path: string,
    status: number,
    headers?: Record<string, string>,
  ) => {
    const before = proxy.seen.length;
    const res = await subject.app.request(path, { method, headers: headers ?? visitor() });
    expect(res.status).toBe(status);
    expect(proxy.seen.length - before).toBe(0);
  };
  await none('POST', '/api/count?page=nope', 400);
  await none('DELETE', '/api/count', 405);
  await none('GET', '/api/health', 200);
  await none('GET', '/api/unknown', 404);
  await none('POST', `/api/count${query(uniquePage())}`, 403, {
    ...visitor(),
    origin: 'https://evil.example',
  });
});

test('POST /api/count: a charge that waits for its answer never overtakes one sent alongside its counts, whatever order DynamoDB applies them in', async () => {
  // The quota holds 2 a day here. The first view is charged (1); the second, known to fit, is
  // charged alongside its counts, and that charge is kept from DynamoDB. A third view then has
  // no room it can count on: had its charge gone first, it would take the room the second was
  // already counted in, and the page would count 3.
  const page = uniquePage('overtake');
  const who = visitor('198.51.100.88');
  const post = () =>
    subject.app.request(`/api/count${query(page)}`, { method: 'POST', headers: who });
  expect(await (await post()).json()).toMatchObject({ views: 1, counted: 'visitor' });

  const charge = (body: string) =>
    body.includes(`"TableName":"${visitsTableName()}"`) && body.includes('"#views"');
  proxy.only = charge;
  proxy.next = ['late'];
  const requestsBefore = proxy.requests;
  try {
    const second = post();
    while (proxy.late === 0) await turn();
    const third = post();
    // Until the app can do nothing more without the kept charge's answer (no clock: its other
    // calls are answered, and it sends nothing new for a few turns).
    for (let quiet = 0; quiet < 5; ) {
      await turn();
      quiet = wire.calls.sent - wire.calls.done === proxy.late ? quiet + 1 : 0;
    }
    proxy.admit();
    const answers = await Promise.all(
      [second, third].map(async (res) => (await res).json() as Promise<{ counted: string }>),
    );
    expect(answers.map((a) => a.counted).sort()).toEqual(['limited', 'view']);
    // Only the kept charge met the proxy's rule: the third view's charge was never sent.
    expect(proxy.requests - requestsBefore).toBe(1);
  } finally {
    proxy.only = undefined;
    proxy.next = [];
    proxy.admit();
  }
  const res = await subject.app.request(`/api/count${query(page)}`);
  expect(await res.json()).toMatchObject({ views: 2 });
});
