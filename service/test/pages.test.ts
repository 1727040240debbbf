import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { startFaultProxy } from '../../test/support/fault-proxy.js';
import {
  endpoint,
  query,
  siteApp,
  testApp,
  testClient,
  uniquePage,
  visitor,
} from '../../test/support/index.js';
import { siteTotal } from '../src/domain/scope.js';

// Each test lists the pages of a site of its own (an allowed origin), so it sees only its own.
interface Pages {
  pages: { page: string; views: number; visitors: number; bots: number }[];
  total: number;
  truncated: boolean;
}

describe('GET /api/pages', () => {
  test('GET /api/pages lists the site’s counted pages, most viewed first, named by path', async () => {
    const s = siteApp({ viewsPerAddressPerDay: 0 });
    const [a, b, c] = [uniquePage('a'), uniquePage('b'), uniquePage('c')];
    const post = (page: string, who = visitor()) =>
      s.app.request(`/api/count${query(page)}`, {
        method: 'POST',
        headers: { ...s.fromSite, ...who },
      });
    await post(a);
    for (let i = 0; i < 3; i++) await post(b, visitor(`198.51.100.${i + 1}`));
    await post(c);
    await post(c);
    await post(c, visitor(undefined, 'curl/8.5.0'));
    const res = await s.app.request('/api/pages', { headers: s.fromSite });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      pages: [
        { page: b, views: 3, visitors: 3, bots: 0 },
        { page: c, views: 2, visitors: 1, bots: 1 },
        { page: a, views: 1, visitors: 1, bots: 0 },
      ],
      total: 3,
      truncated: false,
    });
    // The resume's own list holds none of that site's pages.
    const own = (await (await s.app.request('/api/pages')).json()) as Pages;
    expect(own.pages.some((p) => [a, b, c].includes(p.page))).toBe(false);
  });

  test('GET /api/pages is bounded: the 1,000 most viewed, and says how many there are', async () => {
    const s = siteApp({ viewsPerAddressPerDay: 0 });
    const { counter } = s.database.entities;
    const pages = Array.from({ length: 1003 }, (_, i) => `/bounded/${i}`);
    // Counters written straight through the entity: 1,003 visits would take a while.
    for (let i = 0; i < pages.length; i += 50) {
      await Promise.all(
        pages.slice(i, i + 50).map((page, j) =>
          counter
            .upsert({ page: `${s.site}${page}`, site: siteTotal(s.site) })
            .add({ views: i + j + 1, visitors: 1, bots: 0 })
            .go(),
        ),
      );
    }
    const result = (await (
      await s.app.request('/api/pages', { headers: s.fromSite })
    ).json()) as Pages;
    expect(result.total).toBe(1003);
    expect(result.truncated).toBe(true);
    expect(result.pages).toHaveLength(1000);
    expect(result.pages[0]).toEqual({ page: '/bounded/1002', views: 1003, visitors: 1, bots: 0 });
    expect(result.pages.at(-1)?.views).toBe(4);
  });

  test('GET /api/pages reads at most MAX_PAGES_PER_SITE index entries, however many pages there are', async () => {
    const proxy = await startFaultProxy(endpoint());
    const client = testClient(proxy.endpoint);
    const site = `https://${randomUUID()}.example`;
    const s = testApp({ client, allowedOrigins: [site], maxPagesPerSite: 1000 });
    try {
      const { counter } = s.database.entities;
      // 1,010 counters, made straight through the entity (as pages from before the limit were).
      for (let i = 0; i < 1010; i += 101) {
        await Promise.all(
          Array.from({ length: 101 }, (_, j) =>
            counter
              .upsert({ page: `${site}/over/${i + j}`, site: siteTotal(site) })
              .add({ views: i + j + 1 })
              .go(),
          ),
        );
      }
      const before = proxy.seen.length;
      const res = await s.app.request('/api/pages', {
        headers: { origin: site, 'sec-fetch-site': 'cross-site' },
      });
      const result = (await res.json()) as Pages;
      expect(result.pages).toHaveLength(1000);
      expect(result.truncated).toBe(true);
      // At least that many: the read stopped at the limit and one more.
      expect(result.total).toBe(1001);
      const queries = proxy.seen.slice(before).filter((r) => r.operation === 'Query');
      const limits = queries.map((r) => (JSON.parse(r.body) as { Limit?: number }).Limit ?? 0);
      expect(limits.every((limit) => limit > 0)).toBe(true);
      expect(limits.reduce((sum, limit) => sum + limit, 0)).toBeLessThanOrEqual(
        1001 + limits.length,
      );
    } finally {
      client.destroy();
      await proxy.close();
    }
  });

  test('POST /api/pages is 405', async () => {
    const s = siteApp({ viewsPerAddressPerDay: 0 });
    const res = await s.app.request('/api/pages', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, OPTIONS');
  });
});
