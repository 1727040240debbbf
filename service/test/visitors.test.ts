import { randomInt, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import {
  BROWSER_UA,
  type CountAnswer,
  query,
  scanTable,
  siteApp,
  type TestAppOptions,
  tableName,
  testApp,
  testClient,
  uniquePage,
  visitor,
  visitsTableName,
} from '../../test/support/index.js';
import { BOT_USER_AGENTS, BROWSER_USER_AGENTS } from '../../test/support/user-agents.js';
import { siteTotal } from '../src/domain/scope.js';
import { dayOf } from '../src/domain/visitor.js';

// Visitors, bots, limits and sites, on dynalite through the real app. Each test counts under a
// site of its own (an allowed origin), so the site's totals are its alone.
const apps: ReturnType<typeof testApp>[] = [];
afterAll(() => {
  for (const { client } of apps) client.destroy();
});

/** An app counting for a site of its own; its logs join the file's (checked at the end). */
function visitedSite(options: TestAppOptions = {}) {
  const s = siteApp(options);
  apps.push(s);
  const get = async (page: string) => {
    const res = await s.app.request(`/api/count${query(page)}`, { headers: s.fromSite });
    return (await res.json()) as CountAnswer;
  };
  const siteToday = async (now = new Date()) =>
    (
      await s.database.entities.daily
        .get({ page: siteTotal(s.site), day: dayOf(now) })
        .go({ consistent: true })
    ).data;
  return { ...s, get, siteToday };
}

// Exactness under contention, not the time limits: dynalite serialises writes to one key, and
// on a busy 2-core machine the last of 1,200 writes can wait past the 1 s production timeout.
const contended = (): TestAppOptions => ({
  client: testClient(undefined, { requestTimeoutMs: 30_000, connectionTimeoutMs: 10_000 }),
  deadlineMs: 60_000,
});

/** A random documentation address (RFC 5737, RFC 3849), so tests never share one. */
const address = () => `198.51.100.${randomInt(1, 255)}`;
const ipv6 = () =>
  `2001:db8:${randomInt(0, 0xffff).toString(16)}:${randomInt(0, 0xffff).toString(16)}::1`;

describe('visitors', () => {
  test('POST /api/count: five views from one visitor are five views and one visitor', async () => {
    const s = visitedSite();
    const page = uniquePage('five');
    const who = visitor(address());
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await s.post(page, who));
    expect(answers.map((a) => a.counted)).toEqual(['visitor', 'view', 'view', 'view', 'view']);
    expect(await s.get(page)).toEqual({ page, views: 5, visitors: 1, bots: 0 });
    expect(await s.siteToday()).toMatchObject({ views: 5, visitors: 1 });
  });

  test('POST /api/count: another User-Agent at the same address is another visitor', async () => {
    const s = visitedSite();
    const page = uniquePage('two-browsers');
    const at = address();
    await s.post(page, visitor(at, BROWSER_USER_AGENTS[0]));
    const second = await s.post(page, visitor(at, BROWSER_USER_AGENTS[3]));
    expect(second).toMatchObject({ views: 2, visitors: 2, counted: 'visitor' });
  });

  test('POST /api/count: the same visitor on another page is new to that page, not to the site', async () => {
    const s = visitedSite();
    const [one, two] = [uniquePage('one'), uniquePage('two')];
    const who = visitor(address());
    await s.post(one, who);
    expect(await s.post(two, who)).toMatchObject({ views: 1, visitors: 1, counted: 'visitor' });
    expect(await s.siteToday()).toMatchObject({ views: 2, visitors: 1 });
  });

  test('IPv6 visitors are one per /64: the same browser anywhere in it is one visitor', async () => {
    const s = visitedSite();
    const page = uniquePage('v6');
    await s.post(page, visitor('2001:db8:aaaa:bbbb::1'));
    const again = await s.post(page, visitor('2001:db8:aaaa:bbbb:ffff:1:2:3'));
    expect(again).toMatchObject({ visitors: 1, counted: 'view' });
    const other = await s.post(page, visitor('2001:db8:aaaa:bbbc::1'));
    expect(other).toMatchObject({ visitors: 2, counted: 'visitor' });
  });

  test('300 concurrent POSTs from one visitor: views +300, visitors exactly +1', async () => {
    const s = visitedSite({ ...contended(), viewsPerAddressPerDay: 0 });
    const page = uniquePage('one-visitor-300');
    const who = visitor(address());
    const answers = await Promise.all(Array.from({ length: 300 }, () => s.post(page, who)));
    expect(answers.filter((a) => a.counted === 'visitor')).toHaveLength(1);
    expect(await s.get(page)).toEqual({ page, views: 300, visitors: 1, bots: 0 });
    expect(await s.siteToday()).toMatchObject({ views: 300, visitors: 1 });
  });

  test('300 concurrent POSTs from 300 visitors: visitors exactly +300', async () => {
    const s = visitedSite(contended());
    const page = uniquePage('300-visitors');
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        s.post(page, visitor(`203.0.113.${i % 250}`, `${BROWSER_UA} n/${i}`)),
      ),
    );
    expect(await s.get(page)).toEqual({ page, views: 300, visitors: 300, bots: 0 });
    expect(await s.siteToday()).toMatchObject({ views: 300, visitors: 300 });
  });
});

/** A day no other test uses: its salt does not exist yet. */
const freshDayOutside = () =>
  new Date(Date.UTC(2100 + randomInt(0, 800), randomInt(0, 12), randomInt(1, 28), 12));

describe('days', () => {
  const freshDay = freshDayOutside;

  test('100 concurrent first requests of a new day, in four Lambda environments, make one salt', async () => {
    const day = freshDay();
    const site = `https://${randomUUID()}.example`;
    // Four apps: four in-memory caches, as four Lambda environments would have.
    const environments = Array.from({ length: 4 }, () => {
      const subject = testApp({
        ...contended(),
        allowedOrigins: [site],
        now: () => day,
        viewsPerAddressPerDay: 0,
      });
      apps.push(subject);
      return subject;
    });
    const page = uniquePage('salt-race');
    const who = visitor(address());
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        environments[i % 4]?.app.request(`/api/count${query(page)}`, {
          method: 'POST',
          headers: { ...who, origin: site, 'sec-fetch-site': 'cross-site' },
        }),
      ),
    );
    // One salt: had two environments used different salts, one visitor would count twice.
    const counts = await environments[0]?.database.entities.counter
      .get({ page: `${site}${page}` })
      .go({ consistent: true });
    expect(counts?.data).toMatchObject({ views: 100, visitors: 1 });
    const salt = await environments[0]?.visits.entities.salt
      .get({ day: dayOf(day) })
      .go({ consistent: true });
    expect(Buffer.from(salt?.data?.value ?? '', 'base64').length).toBeGreaterThanOrEqual(16);
  });

  test('a new UTC day counts the same visitor again; the day’s salt and records expire within 48 h', async () => {
    const site = `https://${randomUUID()}.example`;
    let now = freshDay();
    now.setUTCHours(23, 59, 59);
    const subject = testApp({ allowedOrigins: [site], now: () => now });
    apps.push(subject);
    const page = uniquePage('midnight');
    const who = { ...visitor(address()), origin: site, 'sec-fetch-site': 'cross-site' };
    const post = async () =>
      (await (
        await subject.app.request(`/api/count${query(page)}`, { method: 'POST', headers: who })
      ).json()) as CountAnswer;
    const before = dayOf(now);
    expect(await post()).toMatchObject({ visitors: 1, counted: 'visitor' });
    now = new Date(now.getTime() + 2_000); // just after midnight UTC
    expect(dayOf(now)).not.toBe(before);
    expect(await post()).toMatchObject({ views: 2, visitors: 2, counted: 'visitor' });
    expect(await post()).toMatchObject({ views: 3, visitors: 2, counted: 'view' });

    const dayStart = Date.parse(`${before}T00:00:00Z`) / 1000;
    const { salt, visitor: visitorRecord, quota } = subject.visits.entities;
    const saltItem = (await salt.get({ day: before }).go({ consistent: true })).data;
    expect(saltItem?.expiresAt).toBeGreaterThan(dayStart);
    expect(saltItem?.expiresAt).toBeLessThanOrEqual(dayStart + 48 * 3600);
    const expiring = { pages: 'all', consistent: true } as const;
    const visitors = await visitorRecord.scan
      .where(({ expiresAt }, { eq }) => eq(expiresAt, dayStart + 48 * 3600))
      .go(expiring);
    const quotas = await quota.scan
      .where(({ expiresAt }, { eq }) => eq(expiresAt, dayStart + 48 * 3600))
      .go(expiring);
    expect(visitors.data.length).toBeGreaterThanOrEqual(1);
    expect(quotas.data.length).toBeGreaterThanOrEqual(1);
  });
});

test('the first request of a day erases the salt of the day before yesterday from its item', async () => {
  let now = freshDayOutside();
  const subject = testApp({ now: () => now });
  apps.push(subject);
  const { salt } = subject.visits.entities;
  const first = dayOf(now);
  await subject.ready;
  expect((await salt.get({ day: first }).go({ consistent: true })).data?.value).toBeTruthy();
  // Two days on, in the same environment (or any other): the salt is gone, its item expiring.
  now = new Date(now.getTime() + 2 * 86_400_000);
  const later = testApp({ now: () => now });
  apps.push(later);
  await later.ready;
  const erased = (await salt.get({ day: first }).go({ consistent: true })).data;
  expect(erased?.value).toBeUndefined();
  expect(erased?.expiresAt).toBeGreaterThan(0);
  // Yesterday's stays: a request in flight at midnight may still need it.
  const yesterday = dayOf(new Date(now.getTime() - 86_400_000));
  expect((await salt.get({ day: yesterday }).go({ consistent: true })).data?.value).toBeTruthy();
});

describe('bots', () => {
  test.each(BOT_USER_AGENTS)('POST /api/count from %j adds a bot and nothing else', async (ua) => {
    const s = visitedSite();
    const page = uniquePage('bot');
    await s.post(page, visitor(address()));
    expect(await s.post(page, visitor(address(), ua))).toEqual({
      page,
      views: 1,
      visitors: 1,
      bots: 1,
      counted: 'bot',
    });
    expect(await s.siteToday()).toMatchObject({ views: 1, visitors: 1, bots: 1 });
  });

  test('POST /api/count from a bot to a page nobody counted creates nothing but the site’s bot', async () => {
    const s = visitedSite();
    const page = uniquePage('bot-only');
    expect(await s.post(page, visitor(address(), BOT_USER_AGENTS[0]))).toEqual({
      page,
      views: 0,
      visitors: 0,
      bots: 0,
      counted: 'bot',
    });
    expect(await s.get(page)).toEqual({ page, views: 0, visitors: 0, bots: 0 });
    const { counter, daily } = s.database.entities;
    const key = `${s.site}${page}`;
    expect((await counter.get({ page: key }).go({ consistent: true })).data).toBeNull();
    expect(
      (await daily.get({ page: key, day: dayOf(new Date()) }).go({ consistent: true })).data,
    ).toBeNull();
    expect(await s.siteToday()).toMatchObject({ bots: 1 });
  });

  test('POST /api/count with no User-Agent at all is a bot', async () => {
    const s = visitedSite();
    const page = uniquePage('no-ua');
    await s.post(page, visitor(address()));
    const { 'user-agent': _, ...noAgent } = visitor(address());
    expect(await s.post(page, noAgent)).toMatchObject({ views: 1, bots: 1, counted: 'bot' });
  });

  test.each(BROWSER_USER_AGENTS)('POST /api/count from %j counts a person', async (ua) => {
    const s = visitedSite();
    const page = uniquePage('browser');
    expect(await s.post(page, visitor(address(), ua))).toMatchObject({
      views: 1,
      visitors: 1,
      bots: 0,
      counted: 'visitor',
    });
  });
});

describe('limits and exclusions', () => {
  test('25 POSTs from one address to one page in a day: 20 views, then five "limited"', async () => {
    const s = visitedSite();
    const page = uniquePage('limit');
    const at = address();
    const counted: string[] = [];
    for (let i = 0; i < 25; i++) {
      // Even from different browsers: the limit is the address's.
      counted.push((await s.post(page, visitor(at, `${BROWSER_UA} tab/${i % 3}`))).counted ?? '');
    }
    expect(counted.filter((c) => c === 'limited')).toHaveLength(5);
    expect(counted.slice(20)).toEqual(Array(5).fill('limited'));
    expect(await s.get(page)).toMatchObject({ views: 20, visitors: 3 });
    // Another page, and another address, are not limited.
    expect(await s.post(uniquePage('limit-other'), visitor(at))).toMatchObject({ views: 1 });
    expect(await s.post(page, visitor(address()))).toMatchObject({ views: 21 });
  });

  test('VIEWS_PER_ADDRESS_PER_DAY=0 lifts the limit', async () => {
    const s = visitedSite({ viewsPerAddressPerDay: 0 });
    const page = uniquePage('no-limit');
    const who = visitor(address());
    for (let i = 0; i < 25; i++) await s.post(page, who);
    expect(await s.get(page)).toMatchObject({ views: 25, visitors: 1 });
  });

  test('EXCLUDED_ADDRESSES: an IPv4 range and an IPv6 range are never counted', async () => {
    const s = visitedSite({ excludedAddresses: ['192.0.2.0/24', '2001:db8:ee::/48'] });
    const page = uniquePage('excluded');
    for (const at of ['192.0.2.44', '2001:db8:ee:1::9', '::ffff:192.0.2.1']) {
      expect(await s.post(page, visitor(at))).toEqual({
        page,
        views: 0,
        visitors: 0,
        bots: 0,
        counted: 'excluded',
      });
    }
    expect(await s.post(page, visitor('192.0.3.1'))).toMatchObject({ counted: 'visitor' });
    expect(await s.post(page, visitor(ipv6()))).toMatchObject({ views: 2 });
  });
});

describe('sites', () => {
  test('POST /api/count with a foreign Origin is 403 forbidden_origin and counts nothing', async () => {
    const s = visitedSite();
    const page = uniquePage('foreign');
    for (const headers of <Record<string, string>[]>[
      { origin: 'https://evil.example' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: 'https://sub.evil.example' },
      { origin: 'null' },
    ]) {
      const res = await s.app.request(`/api/count${query(page)}`, {
        method: 'POST',
        headers: { ...visitor(address()), ...headers },
      });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'forbidden_origin',
      );
    }
    const own = await s.app.request(`/api/count${query(page)}`);
    expect(await own.json()).toMatchObject({ views: 0, bots: 0 });
    expect(await s.get(page)).toMatchObject({ views: 0, bots: 0 });
  });

  test('an allowed site counts under its own name; the resume’s page of the same path is unchanged', async () => {
    const s = visitedSite();
    const page = uniquePage('shared-path');
    expect(await s.post(page, visitor(address()))).toMatchObject({ views: 1, counted: 'visitor' });
    // The resume's own page (same origin) is another counter.
    const own = await s.app.request(`/api/count${query(page)}`, {
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(await own.json()).toEqual({ page, views: 0, visitors: 0, bots: 0 });
    // Reads from the allowed site see its counts.
    expect(await s.get(page)).toMatchObject({ views: 1, visitors: 1 });
  });

  test('a same-origin POST counts under the resume, whatever Origin says', async () => {
    const s = visitedSite();
    const page = uniquePage('same-origin');
    const res = await s.app.request(`/api/count${query(page)}`, {
      method: 'POST',
      headers: {
        ...visitor(address()),
        origin: 'https://resume.example',
        'sec-fetch-site': 'same-origin',
      },
    });
    expect(await res.json()).toMatchObject({ views: 1 });
    expect(await (await s.app.request(`/api/count${query(page)}`)).json()).toMatchObject({
      views: 1,
    });
  });
});

describe('privacy', () => {
  test('no address and no User-Agent is stored anywhere in the table, or logged', async () => {
    const s = visitedSite();
    const at = '198.51.100.213';
    const v6 = '2001:db8:5ec:e7::42';
    const ua = `${BROWSER_UA} privacy-marker/${randomUUID()}`;
    for (const who of [visitor(at, ua), visitor(v6, ua), visitor(at, BOT_USER_AGENTS[0])]) {
      await s.post(uniquePage('privacy'), who);
    }
    // Both tables, every attribute of every item this run wrote.
    let text = '';
    for (const table of [tableName(), visitsTableName()]) {
      text += JSON.stringify(await scanTable(s.client, table));
    }
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of [
      at,
      v6,
      '2001:db8:5ec:e7',
      ua,
      'privacy-marker',
      'Googlebot',
      'Mozilla',
    ]) {
      expect(text.includes(secret), secret).toBe(false);
    }
    const logs = JSON.stringify(apps.flatMap((a) => a.logs));
    for (const secret of [at, v6, ua, 'Mozilla']) expect(logs.includes(secret), secret).toBe(false);
  });
});
