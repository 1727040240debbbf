import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { expect, test } from 'vitest';
import {
  itemBytes,
  siteApp,
  tableName,
  testClient,
  uniquePage,
  visitor,
} from '../../test/support/index.js';
import { MAX_NAMES_PER_DAY } from '../src/db/counter-store/breakdown.js';
import { createDatabase } from '../src/db/index.js';
import { siteTotal } from '../src/domain/scope.js';
import { dayOf } from '../src/domain/visitor.js';

// Sources and countries (ADR 14) on the real app over dynalite: kept on the site's day item, by
// the write every visit makes there anyway, bounded, and summed by GET /api/stats.

interface Ranked {
  readonly views: number;
  readonly visitors: number;
}
interface Stats {
  readonly totals: { views: number; visitors: number };
  readonly sources: (Ranked & { source: string })[];
  readonly countries: (Ranked & { country: string })[];
}

function arrivals(country?: string) {
  const s = siteApp({ viewsPerAddressPerDay: 0, ...(country ? { countryOf: () => country } : {}) });
  /** A person's visit to `page` from `ref` (none: no referrer). */
  const visit = async (page: string, address: string, ref?: string) => {
    const res = await s.app.request(
      `/api/count?page=${encodeURIComponent(page)}${ref === undefined ? '' : `&ref=${encodeURIComponent(ref)}`}`,
      { method: 'POST', headers: { ...s.fromSite, ...visitor(address) } },
    );
    expect(res.status).toBe(200);
  };
  const stats = async (query = '') =>
    (await (await s.app.request(`/api/stats${query}`, { headers: s.fromSite })).json()) as Stats;
  /** The site's day item as stored. */
  const siteDay = async () => {
    const database = createDatabase({ client: s.client, table: tableName() });
    const params = database.entities.daily
      .get({ page: siteTotal(s.site), day: dayOf(new Date()) })
      .params() as { Key: Record<string, string> };
    const { Item } = await testClient().send(
      new GetItemCommand({
        TableName: tableName(),
        Key: { pk: { S: params.Key.pk as string }, sk: { S: params.Key.sk as string } },
        ConsistentRead: true,
      }),
    );
    return Item ?? {};
  };
  return { ...s, visit, stats, siteDay };
}

test('GET /api/stats: views and visitors by source and by country, most first; a page’s stats have none', async () => {
  const s = arrivals('DE');
  const page = uniquePage('from');
  await s.visit(page, '198.51.100.1', 'https://www.linkedin.com/feed/');
  await s.visit(page, '198.51.100.1', 'https://www.linkedin.com/feed/');
  await s.visit(page, '198.51.100.2', 'https://lnkd.in/x');
  await s.visit(page, '198.51.100.3', 'https://www.google.de/');
  await s.visit(page, '198.51.100.4');
  const stats = await s.stats();
  expect(stats.totals).toMatchObject({ views: 5, visitors: 4 });
  expect(stats.sources).toEqual([
    { source: 'linkedin.com', views: 3, visitors: 2 },
    { source: 'direct', views: 1, visitors: 1 },
    { source: 'google', views: 1, visitors: 1 },
  ]);
  expect(stats.countries).toEqual([{ country: 'DE', views: 5, visitors: 4 }]);
  const ofPage = await s.stats(`?page=${encodeURIComponent(page)}`);
  expect([ofPage.sources, ofPage.countries]).toEqual([[], []]);
});

test(`a day keeps ${MAX_NAMES_PER_DAY} sources and sums the rest as other; the item stays small`, async () => {
  const s = arrivals('NL');
  const page = uniquePage('many');
  const extra = 7;
  for (let i = 0; i < MAX_NAMES_PER_DAY + extra; i++) {
    // Long hosts: the largest names a day can hold.
    await s.visit(page, `198.51.101.${i + 1}`, `https://${`s${i}`.padEnd(50, 'x')}.example/`);
  }
  const item = await s.siteDay();
  const sv = Object.keys(item.sv?.M ?? {});
  expect(sv).toHaveLength(MAX_NAMES_PER_DAY + 1);
  expect(sv).toContain('other');
  const views = Object.values(item.sv?.M ?? {}).reduce((n, v) => n + Number(v.N), 0);
  expect(views).toBe(MAX_NAMES_PER_DAY + extra);
  const stats = await s.stats();
  expect(stats.sources).toHaveLength(MAX_NAMES_PER_DAY + 1);
  expect(stats.sources.at(-1)).toEqual({ source: 'other', views: extra, visitors: extra });
  const bytes = itemBytes(item);
  console.log(
    `site day item with ${MAX_NAMES_PER_DAY} 64-byte sources and a country: ${bytes} bytes`,
  );
  expect(bytes).toBeLessThan(4096);
});

test('two instances making a day’s maps at once lose no visit’s source', async () => {
  const first = arrivals('FR');
  const second = siteApp({ allowedOrigins: [first.site], viewsPerAddressPerDay: 0 });
  const page = uniquePage('race');
  const post = (app: typeof first.app, address: string, ref: string) =>
    app.request(`/api/count?page=${encodeURIComponent(page)}&ref=${encodeURIComponent(ref)}`, {
      method: 'POST',
      headers: { ...first.fromSite, ...visitor(address) },
    });
  const answers = await Promise.all([
    ...Array.from({ length: 10 }, (_, i) =>
      post(first.app, `198.51.102.${i + 1}`, 'https://github.com/'),
    ),
    ...Array.from({ length: 10 }, (_, i) =>
      post(second.app, `198.51.102.${i + 20}`, 'https://t.co/x'),
    ),
  ]);
  expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
  const stats = await first.stats();
  expect(stats.sources).toEqual(
    expect.arrayContaining([
      { source: 'github.com', views: 10, visitors: 10 },
      { source: 'x.com', views: 10, visitors: 10 },
    ]),
  );
  expect(stats.countries).toEqual([{ country: 'FR', views: 10, visitors: 10 }]);
});
