import { describe, expect, test } from 'vitest';
import {
  BROWSER_UA,
  type CountAnswer,
  itemBytes,
  scanTable,
  siteApp,
  type TestAppOptions,
  tableName,
  testClient,
  uniquePage,
  visitor,
  visitsTableName,
} from '../../test/support/index.js';
import { BOT_USER_AGENTS } from '../../test/support/user-agents.js';
import { countingLimits } from '../src/domain/counting-limits.js';
import { MAX_PAGE_BYTES } from '../src/domain/page.js';
import { siteTotal } from '../src/domain/scope.js';

// What one client can make footfall store, whatever it sends: nothing grows with it (ADR 12).
// Evidence from table scans of both tables, and the answers themselves.

/** An app with production's limits, counting for a site of its own (an allowed origin). */
function limitedSite(options: TestAppOptions = {}) {
  const s = siteApp({
    newPagesPerAddressPerDay: countingLimits.newPagesPerAddressPerDay.default,
    maxPagesPerSite: countingLimits.maxPagesPerSite.default,
    ...options,
  });
  /** Every page counter of the site, straight from the by-site index. */
  const pages = async () =>
    (
      await s.database.entities.counter.query
        .bySite({ site: siteTotal(s.site) })
        .go({ pages: 'all' })
    ).data;
  return { ...s, pages };
}

/** `count` requests, `width` at a time. */
async function inBatches<T>(count: number, width: number, send: (i: number) => Promise<T>) {
  const answers: T[] = [];
  for (let i = 0; i < count; i += width) {
    answers.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(width, count - i) }, (_, j) => send(i + j)),
      )),
    );
  }
  return answers;
}

/** The largest item in both tables, with its size: every item a visit writes is one write unit. */
async function largestItem() {
  const client = testClient();
  try {
    let largest = { bytes: 0, key: '' };
    for (const table of [tableName(), visitsTableName()]) {
      for (const item of await scanTable(client, table)) {
        const bytes = itemBytes(item);
        if (bytes > largest.bytes) largest = { bytes, key: `${item.pk?.S} ${item.sk?.S}` };
      }
    }
    return largest;
  } finally {
    client.destroy();
  }
}

const counted = (answers: CountAnswer[]) => {
  const tally: Record<string, number> = {};
  for (const { counted = '' } of answers) tally[counted] = (tally[counted] ?? 0) + 1;
  return tally;
};

describe('bounded by construction', () => {
  test('3,000 POSTs from one address, each to a new page with a new browser: 50 pages, every item under 1 KB, and the limits hold', async () => {
    const s = limitedSite();
    const at = '198.18.19.1';
    // Each page as long as the site allows, in three-byte characters: the largest counters.
    const room = MAX_PAGE_BYTES - 2 * s.site.length;
    const longPage = (i: number) => {
      const head = `/${i}/`;
      return `${head}${'語'.repeat(Math.floor((room - head.length) / 3))}`;
    };
    const answers = await inBatches(3_000, 25, (i) =>
      s.post(longPage(i), visitor(at, `${BROWSER_UA} build/${i}`)),
    );
    expect(counted(answers)).toEqual({ visitor: 50, limited: 2_950 });
    const pages = await s.pages();
    expect(pages).toHaveLength(countingLimits.newPagesPerAddressPerDay.default);

    // The table scan: no item of either table, this test's or any other's, outgrew one write unit.
    const largest = await largestItem();
    console.log(`largest item after 3,000 POSTs: ${largest.bytes} bytes (${largest.key})`);
    expect(largest.bytes).toBeLessThan(1024);

    // The per-address limit still holds on a page it made, whatever browsers it claims to be.
    const page = pages[0]?.page.slice(s.site.length) ?? '';
    const more = await inBatches(30, 10, (i) =>
      s.post(page, visitor(at, `${BROWSER_UA} tab/${i}`)),
    );
    expect(more.filter((a) => a.counted === 'limited')).toHaveLength(
      30 - (countingLimits.viewsPerAddressPerDay.default - 1),
    );
    expect(Math.max(...more.map((a) => a.views))).toBe(
      countingLimits.viewsPerAddressPerDay.default,
    );
    // Said in the logs, once: which limit.
    expect(s.logs.filter((line) => line.msg === 'visit limited')).toEqual([
      expect.objectContaining({ Limit: 'new-pages-per-address', Limited: 1 }),
      expect.objectContaining({ Limit: 'views-per-address', Limited: 1 }),
    ]);
  });

  test('bots create nothing: 300 POSTs to junk pages leave no page and no day; on a page a person made, they add bots', async () => {
    const s = limitedSite();
    const junk = await inBatches(300, 25, (i) =>
      s.post(
        `/junk/${'x'.repeat(80)}/${i}`,
        visitor(`198.18.20.${i % 200}`, BOT_USER_AGENTS[i % 8]),
      ),
    );
    expect(junk.every((a) => a.counted === 'bot' && a.bots === 0 && a.views === 0)).toBe(true);
    const page = uniquePage('real');
    await s.post(page, visitor('198.18.21.1'));
    const bots = await inBatches(50, 25, () =>
      s.post(page, visitor('198.18.21.2', BOT_USER_AGENTS[0])),
    );
    expect(Math.max(...bots.map((a) => a.bots))).toBe(50);

    // The scan: of all this site's items, only the real page, its day, the site's day and the
    // site's record.
    const client = testClient();
    const items = (await scanTable(client, tableName())).filter(
      (item) => item.pk?.S?.includes(s.site) || item.gsi1pk?.S?.includes(s.site),
    );
    client.destroy();
    expect(items.some((item) => item.pk?.S?.includes('/junk/'))).toBe(false);
    expect(items.map((item) => item.__edb_e__?.S).sort()).toEqual([
      'counter',
      'daily',
      'daily',
      'site',
    ]);
    // The site's day kept every bot: the site's bot total.
    const siteDay = items.find(
      (item) => item.pk?.S?.endsWith(`${s.site}*`) && item.__edb_e__?.S === 'daily',
    );
    expect(siteDay?.bots?.N).toBe('350');
  });

  test('MAX_PAGES_PER_SITE: 40 addresses making new pages leave exactly that many; the rest are limited, once in the logs', async () => {
    const s = limitedSite({ maxPagesPerSite: 12 });
    const answers = await inBatches(40, 10, (i) =>
      s.post(uniquePage('crowd'), visitor(`198.18.22.${i + 1}`)),
    );
    expect(counted(answers)).toEqual({ visitor: 12, limited: 28 });
    expect(await s.pages()).toHaveLength(12);
    const { data } = await s.database.entities.site.get({ site: siteTotal(s.site) }).go();
    expect(data?.pages).toBe(12);
    expect(s.logs.filter((line) => line.Limit === 'pages-per-site')).toHaveLength(1);
    // Pages that exist still count.
    const existing = (await s.pages())[0]?.page.slice(s.site.length) ?? '';
    expect(await s.post(existing, visitor('198.18.23.1'))).toMatchObject({ counted: 'visitor' });
  });

  test('a page removed while an instance remembers it is made anew only within the limits', async () => {
    const s = limitedSite({ maxPagesPerSite: 1 });
    const page = uniquePage('removed');
    expect(await s.post(page, visitor('198.18.25.1'))).toMatchObject({ counted: 'visitor' });
    // Removed behind this instance's back (as npm run admin -- remove does, but leaving the
    // site's count full): the instance still remembers the page from earlier today.
    await s.database.entities.counter.delete({ page: `${s.site}${page}` }).go();
    expect(await s.post(page, visitor('198.18.25.2'))).toMatchObject({
      views: 0,
      counted: 'limited',
    });
    expect(await s.pages()).toHaveLength(0);
  });

  test('a tunnel broker’s /48: 50 of its /64s, 21 POSTs each, add at most VIEWS_PER_NETWORK_PER_DAY views to a page', async () => {
    const s = limitedSite();
    const page = uniquePage('network');
    await s.post(page, visitor('198.18.24.1'));
    const network = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const answers = await inBatches(50 * 21, 30, (i) =>
      s.post(page, visitor(`${network}:${(Math.floor(i / 21) + 1).toString(16)}::1`)),
    );
    const perNetwork = 10 * countingLimits.viewsPerAddressPerDay.default;
    expect(answers.filter((a) => a.counted !== 'limited')).toHaveLength(perNetwork);
    expect(Math.max(...answers.map((a) => a.views))).toBe(1 + perNetwork);
    // Another /48 is not limited by it.
    expect(await s.post(page, visitor('2001:db8:ffff:1::1'))).toMatchObject({
      views: 2 + perNetwork,
      counted: 'visitor',
    });
    expect(s.logs.some((line) => line.Limit === 'views-per-network')).toBe(true);
  });

  test('IPv6: one /64 is held to VIEWS_PER_ADDRESS_PER_DAY inside its /48 too', async () => {
    const s = limitedSite();
    const page = uniquePage('v6-address');
    const answers = await inBatches(30, 10, (i) =>
      s.post(page, visitor(`2001:db8:77:1::${(i + 1).toString(16)}`, `${BROWSER_UA} v/${i}`)),
    );
    expect(answers.filter((a) => a.counted !== 'limited')).toHaveLength(
      countingLimits.viewsPerAddressPerDay.default,
    );
  });
});
