import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { startFaultProxy } from '../../test/support/fault-proxy.js';
import {
  endpoint,
  query,
  testApp,
  testClient,
  uniquePage,
  visitor,
} from '../../test/support/index.js';

// History on a clock the test moves: 40 days, crossing UTC midnights.
let now = new Date('2031-03-01T12:00:00Z');
const site = `https://${randomUUID()}.example`;
const subject = testApp({ allowedOrigins: [site], now: () => now, viewsPerAddressPerDay: 0 });
afterAll(() => subject.client.destroy());
const fromSite = { origin: site, 'sec-fetch-site': 'cross-site' };

interface Day {
  date: string;
  views: number;
  visitors: number;
  bots: number;
}
interface Stats {
  page: string | null;
  from: string;
  to: string;
  days: Day[];
  totals: { views: number; visitors: number; bots: number };
}

const post = async (page: string, at: string, headers = visitor()) => {
  now = new Date(at);
  const res = await subject.app.request(`/api/count${query(page)}`, {
    method: 'POST',
    headers: { ...fromSite, ...headers },
  });
  expect(res.status).toBe(200);
};
const stats = async (path: string) => {
  const res = await subject.app.request(path, { headers: fromSite });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Stats;
};

describe('GET /api/stats', () => {
  test('GET /api/stats: 40 days with gaps as zeros, UTC midnight boundaries, totals the sums', async () => {
    const page = uniquePage('history');
    await post(page, '2031-03-01T00:00:00.000Z'); // day 1, first instant
    await post(page, '2031-03-05T23:59:59.999Z'); // day 5, last instant
    await post(page, '2031-03-06T00:00:00.000Z', visitor('198.51.100.5')); // day 6
    await post(page, '2031-03-06T10:00:00.000Z', visitor('198.51.100.5')); // day 6, returning
    await post(page, '2031-03-20T08:00:00.000Z', visitor(undefined, 'curl/8.5.0')); // a bot
    await post(page, '2031-03-21T08:00:00.000Z', visitor('198.51.100.6')); // day 21
    await post(page, '2031-03-21T09:00:00.000Z', visitor(undefined, 'curl/8.5.0')); // a bot
    await post(page, '2031-04-09T22:00:00.000Z'); // day 40

    now = new Date('2031-04-09T23:00:00Z');
    const result = await stats(`/api/stats${query(page)}&days=40`);
    expect(result.page).toBe(page);
    expect(result.from).toBe('2031-03-01');
    expect(result.to).toBe('2031-04-09');
    expect(result.days).toHaveLength(40);
    expect(result.days.map((d) => d.date)).toEqual(
      Array.from({ length: 40 }, (_, i) =>
        new Date(Date.UTC(2031, 2, 1 + i)).toISOString().slice(0, 10),
      ),
    );
    const on = (date: string) => result.days.find((d) => d.date === date);
    expect(on('2031-03-01')).toEqual({ date: '2031-03-01', views: 1, visitors: 1, bots: 0 });
    expect(on('2031-03-05')).toEqual({ date: '2031-03-05', views: 1, visitors: 1, bots: 0 });
    expect(on('2031-03-06')).toEqual({ date: '2031-03-06', views: 2, visitors: 1, bots: 0 });
    // A bot adds to a page's day only once a person made it: it creates nothing itself.
    expect(on('2031-03-20')).toEqual({ date: '2031-03-20', views: 0, visitors: 0, bots: 0 });
    expect(on('2031-03-21')).toEqual({ date: '2031-03-21', views: 1, visitors: 1, bots: 1 });
    expect(on('2031-04-09')).toEqual({ date: '2031-04-09', views: 1, visitors: 1, bots: 0 });
    expect(on('2031-03-02')).toEqual({ date: '2031-03-02', views: 0, visitors: 0, bots: 0 });
    const total = (key: 'views' | 'visitors' | 'bots') =>
      result.days.reduce((n, d) => n + d[key], 0);
    expect(result.totals).toEqual({ views: total('views'), visitors: total('visitors'), bots: 1 });
    expect(result.totals).toEqual({ views: 6, visitors: 5, bots: 1 });
    // The page's own total has both bots; the site's days have both too.
    const counts = await subject.app.request(`/api/count${query(page)}`, { headers: fromSite });
    expect(await counts.json()).toMatchObject({ views: 6, visitors: 5, bots: 2 });
    const siteDays = await stats('/api/stats?days=40');
    expect(siteDays.days.find((d) => d.date === '2031-03-20')).toMatchObject({ bots: 1 });

    // A shorter window ends today and starts days − 1 before it.
    const week = await stats(`/api/stats${query(page)}&days=7`);
    expect(week.from).toBe('2031-04-03');
    expect(week.totals).toEqual({ views: 1, visitors: 1, bots: 0 });
  });

  test('GET /api/stats without page: the whole site, each visitor once a day across pages', async () => {
    now = new Date('2031-06-10T09:00:00Z');
    const who = visitor('198.51.100.77');
    await post(uniquePage('site-a'), '2031-06-10T09:00:00Z', who);
    await post(uniquePage('site-b'), '2031-06-10T09:05:00Z', who);
    await post(uniquePage('site-b'), '2031-06-11T09:05:00Z', who);
    now = new Date('2031-06-11T12:00:00Z');
    const result = await stats('/api/stats?days=2');
    expect(result.page).toBeNull();
    expect(result.days).toEqual([
      { date: '2031-06-10', views: 2, visitors: 1, bots: 0 },
      { date: '2031-06-11', views: 1, visitors: 1, bots: 0 },
    ]);
  });

  test('GET /api/stats defaults to 30 days', async () => {
    now = new Date('2031-07-31T12:00:00Z');
    const result = await stats(`/api/stats${query(uniquePage('default'))}`);
    expect(result.days).toHaveLength(30);
    expect(result.from).toBe('2031-07-02');
  });

  test.each([
    ['days=0', 'invalid_days'],
    ['days=367', 'invalid_days'],
    ['days=1.5', 'invalid_days'],
    ['days=-3', 'invalid_days'],
    ['days=abc', 'invalid_days'],
    ['days=', 'invalid_days'],
    ['days=7&days=7', 'invalid_days'],
    ['page=nope', 'invalid_page'],
    ['page=', 'invalid_page'],
    ['page=/a%E2%80%AEb', 'invalid_page'],
  ])('GET /api/stats?%s is 400 %s', async (raw, code) => {
    const res = await subject.app.request(`/api/stats?${raw}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });

  test('POST /api/stats is 405: the history is read-only', async () => {
    const res = await subject.app.request('/api/stats', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, OPTIONS');
  });

  test('a year of history is one DynamoDB query', async () => {
    const proxy = await startFaultProxy(endpoint());
    const counted = testApp({ client: testClient(proxy.endpoint), now: () => now });
    try {
      now = new Date('2032-12-31T12:00:00Z');
      const page = uniquePage('year');
      // A day in the middle of the year, so the range really spans it.
      now = new Date('2032-06-15T12:00:00Z');
      await counted.app.request(`/api/count${query(page)}`, { method: 'POST', headers: visitor() });
      now = new Date('2032-12-31T12:00:00Z');
      const before = proxy.requests;
      const res = await counted.app.request(`/api/stats${query(page)}&days=366`);
      expect(proxy.requests - before).toBe(1);
      const result = (await res.json()) as Stats;
      expect(result.days).toHaveLength(366);
      expect(result.totals.views).toBe(1);
    } finally {
      counted.client.destroy();
      await proxy.close();
    }
  });
});
