import { afterAll, expect, test } from 'vitest';
import { query, testApp, testClient, uniquePage, visitor } from '../../../test/support/index.js';
import { BOT_USER_AGENTS } from '../../../test/support/user-agents.js';
import { countWriteUnits, MIX_PAGES, MIX_PER_PAGE, visitMix } from '../../bench/write-units.js';

const client = testClient();
const units = countWriteUnits(client);
afterAll(() => client.destroy());

test('the benchmark counts the write units of each kind of visit as DynamoDB charges them', async () => {
  const app = testApp({ client, viewsPerAddressPerDay: 20, newPagesPerAddressPerDay: 50 });
  await app.ready;
  const page = uniquePage('write-units');
  const post = async (headers: Record<string, string>) => {
    units.take();
    const res = await app.app.request(`/api/count${query(page)}`, { method: 'POST', headers });
    expect(res.status).toBe(200);
    return units.take();
  };
  // The visitor's record, the view quota, the address's and the site's page quotas, the
  // page's counter (and its index entry), its day and the site's day; the counter read once.
  expect(await post(visitor('198.18.200.1'))).toEqual({
    table: 7,
    index: 1,
    read: 1,
    writes: 7,
    failed: 0,
    largest: 1,
  });
  // A first visit: the visitor's record and the view quota, then the three counts.
  expect(await post(visitor('198.18.200.2'))).toMatchObject({ table: 5, index: 1, read: 0 });
  // Returning: the view quota and the three counts.
  expect(await post(visitor('198.18.200.2'))).toMatchObject({ table: 4, index: 1, read: 0 });
  expect(await post(visitor('198.18.200.3', BOT_USER_AGENTS[0]))).toMatchObject({
    table: 3,
    index: 1,
    read: 0,
  });
});

test('a write whose condition fails is charged one unit, with no index entry', async () => {
  const app = testApp({ client });
  await app.ready;
  units.take();
  // A bot's POST to a page nobody made: the page's conditional write fails; the site's day is
  // added to.
  const res = await app.app.request(`/api/count${query(uniquePage('junk'))}`, {
    method: 'POST',
    headers: visitor('198.18.200.4', BOT_USER_AGENTS[0]),
  });
  expect(res.status).toBe(200);
  expect(units.take()).toMatchObject({ table: 2, index: 0, writes: 2, failed: 1 });
});

test('the mix: each page made by its first visit, then its first, returning and bot visits', () => {
  let n = 0;
  const mix = visitMix('test', () => ({ who: 'person', address: `visitor-${n++}` }));
  expect(mix).toHaveLength(MIX_PAGES * (1 + 29 + 12 + 8));
  const pages = new Map<string, typeof mix>();
  for (const visit of mix) pages.set(visit.page, [...(pages.get(visit.page) ?? []), visit]);
  expect(pages.size).toBe(MIX_PAGES);
  for (const visits of pages.values()) {
    expect(visits[0]?.kind).toBe('creating');
    const kinds = (kind: string) => visits.filter((visit) => visit.kind === kind).length;
    expect({ first: kinds('first'), returning: kinds('returning'), bot: kinds('bot') }).toEqual(
      MIX_PER_PAGE,
    );
    // A returning visitor was counted on the page before, and stays far from 20 views.
    const counted = new Map<string, number>();
    for (const visit of visits) {
      if (visit.kind === 'bot') continue;
      const seen = counted.get(visit.from.address);
      expect(seen === undefined).toBe(visit.kind !== 'returning');
      counted.set(visit.from.address, (seen ?? 0) + 1);
    }
    expect(Math.max(...counted.values())).toBeLessThan(20);
  }
  // The same mix every run.
  n = 0;
  expect(visitMix('test', () => ({ who: 'person', address: `visitor-${n++}` }))).toEqual(mix);
});
