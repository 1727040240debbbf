import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  BROWSER_UA,
  query,
  siteApp,
  testApp,
  uniquePage,
  visitor,
} from '../../test/support/index.js';
import type { LinkOpened } from '../src/domain/links.js';

// Application links (ADR 14) on the real app and store over dynalite: the redirect, the opens a
// person's counted visits add, what is kept of where they came from, and who is told.

const LINKEDIN_PREVIEW =
  'LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)';
const SLACK_PREVIEW = 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)';

const slug = () => `acme-${randomUUID().slice(0, 8)}`;

/** An app whose owner is told into `told`, with a link made as the admin CLI makes it. */
async function withLink(
  options: Parameters<typeof siteApp>[0] & { page?: string; note?: string } = {},
) {
  const told: LinkOpened[] = [];
  const s = siteApp({ tell: async (open) => void told.push(open), ...options });
  const link = {
    slug: slug(),
    page: options.page ?? uniquePage('link'),
    note: options.note ?? 'Acme, backend role',
  };
  await s.database.entities.link.create({ ...link, createdAt: new Date().toISOString() }).go();
  const days = async () =>
    (await s.database.entities.linkDay.query.bySlug({ slug: link.slug }).go({ consistent: true }))
      .data;
  /** A person's POST that came by the link (`?via=`), from `ref`. */
  const open = async (headers = visitor(), ref?: string, via = link.slug) => {
    const res = await s.app.request(
      `/api/count${query(link.page)}&via=${encodeURIComponent(via)}${ref === undefined ? '' : `&ref=${encodeURIComponent(ref)}`}`,
      { method: 'POST', headers: { ...s.fromSite, ...headers } },
    );
    expect(res.status).toBe(200);
    return (await res.json()) as { counted: string; views: number };
  };
  return { ...s, link, told, days, open };
}

describe('GET /r/SLUG', () => {
  test('a person is sent to the link’s page with ?via=SLUG, and nothing is counted', async () => {
    const s = await withLink({ page: '/projects/' });
    const res = await s.app.request(`/r/${s.link.slug}`, { headers: visitor() });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/projects/?via=${s.link.slug}`);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await s.days()).toEqual([]);
  });

  test('a link preview (LinkedIn, Slack) is counted as one of the link’s previews and redirected too', async () => {
    const s = await withLink();
    for (const agent of [LINKEDIN_PREVIEW, SLACK_PREVIEW]) {
      const res = await s.app.request(`/r/${s.link.slug}`, {
        headers: visitor('198.51.100.4', agent),
      });
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(`${s.link.page}?via=${s.link.slug}`);
    }
    expect(await s.days()).toMatchObject([{ previews: 2 }]);
    expect((await s.days())[0]?.opens).toBeUndefined();
    expect(s.told).toEqual([]);
  });

  test('an unknown, removed or malformed slug is sent to / and writes nothing', async () => {
    const s = await withLink();
    await s.database.entities.link.delete({ slug: s.link.slug }).go();
    const removed = testApp({ allowedOrigins: [s.site] });
    for (const path of [`/r/${s.link.slug}`, `/r/${slug()}`, '/r/NOT_A_SLUG', '/r/a/b', '/r/']) {
      const res = await removed.app.request(path, {
        headers: visitor('198.51.100.5', LINKEDIN_PREVIEW),
      });
      expect(res.status, path).toBe(302);
      expect(res.headers.get('location'), path).toBe('/');
    }
    expect(await s.days()).toEqual([]);
    removed.client.destroy();
  });
});

describe('POST /api/count?via=SLUG&ref=URL', () => {
  test('a person’s counted visit adds an open, a visitor once a day, and its source and country', async () => {
    const s = await withLink({ countryOf: () => 'DE' });
    expect(await s.open(visitor('198.51.100.10'), 'https://www.linkedin.com/feed/')).toMatchObject({
      counted: 'visitor',
    });
    expect(await s.open(visitor('198.51.100.10'), 'https://www.linkedin.com/feed/')).toMatchObject({
      counted: 'view',
    });
    await s.open(visitor('198.51.100.11'), 'https://www.google.com/search?q=me');
    const [day] = await s.days();
    expect(day).toMatchObject({ opens: 3, visitors: 2 });
    expect([...(day?.sources ?? [])].sort()).toEqual(['google', 'linkedin.com']);
    expect([...(day?.countries ?? [])]).toEqual(['DE']);
    expect(day?.firstOpen).toBeDefined();
    expect(day?.lastOpen && day.firstOpen && day.lastOpen >= day.firstOpen).toBe(true);
  });

  test('only the source name is kept, never the referrer: no path, query or user', async () => {
    const s = await withLink();
    // Every part but the host carries a marker no time or count can contain.
    await s.open(
      visitor('198.51.100.12'),
      'https://userqzx:pwqzx@news.ycombinator.com/itemqzx?id=qzx#topqzx',
    );
    const [day] = await s.days();
    expect([...(day?.sources ?? [])]).toEqual(['news.ycombinator.com']);
    expect(JSON.stringify(day)).not.toContain('qzx');
  });

  test('a bot, an excluded address and a limited visit add nothing to a link; an unknown via counts the visit as usual', async () => {
    const s = await withLink({ excludedAddresses: ['192.0.2.0/24'], viewsPerAddressPerDay: 1 });
    expect(await s.open(visitor('198.51.100.20', LINKEDIN_PREVIEW))).toMatchObject({
      counted: 'bot',
    });
    expect(await s.open(visitor('192.0.2.9'))).toMatchObject({ counted: 'excluded' });
    expect(await s.open(visitor('198.51.100.21'))).toMatchObject({ counted: 'visitor' });
    expect(await s.open(visitor('198.51.100.21'))).toMatchObject({ counted: 'limited' });
    expect(await s.days()).toMatchObject([{ opens: 1, visitors: 1 }]);
    // A via naming no link: the visit counts, nothing is written for it.
    expect(await s.open(visitor('198.51.100.22'), undefined, slug())).toMatchObject({
      counted: 'visitor',
    });
    expect(await s.open(visitor('198.51.100.23'), undefined, 'Not a slug!')).toMatchObject({
      counted: 'visitor',
    });
    expect(await s.days()).toMatchObject([{ opens: 1, visitors: 1 }]);
  });

  test('a bad or oversized ref is ignored, never an error', async () => {
    const s = await withLink();
    for (const ref of [
      'not a url',
      'javascript:alert(1)',
      `https://example.com/${'x'.repeat(5000)}`,
    ]) {
      expect(await s.open(visitor('198.51.100.30'), ref)).toMatchObject({
        views: expect.any(Number),
      });
    }
    const [day] = await s.days();
    expect(day?.opens).toBe(3);
    expect(day?.sources).toBeUndefined();
  });

  test('a day keeps at most 20 sources; opens from more still count', async () => {
    const s = await withLink();
    for (let i = 0; i < 23; i++)
      await s.open(visitor(`198.51.100.${40 + i}`), `https://site${i}.example/`);
    const [day] = await s.days();
    expect(day?.opens).toBe(23);
    expect(day?.sources?.length).toBe(20);
  });
});

describe('the owner is told', () => {
  test('of the first open, with the link’s note, source and country, and once a link a day', async () => {
    let now = new Date('2026-12-01T09:00:00Z');
    const s = await withLink({ countryOf: () => 'NL', now: () => now, note: 'Acme, backend' });
    await s.open(visitor('198.51.100.50'), 'https://lnkd.in/abc');
    await s.open(visitor('198.51.100.51'), 'https://lnkd.in/abc');
    await s.alerts.settle(1_000);
    expect(s.told).toEqual([
      {
        slug: s.link.slug,
        note: 'Acme, backend',
        page: s.link.page,
        at: '2026-12-01T09:00:00.000Z',
        source: 'linkedin.com',
        country: 'NL',
      },
    ]);
    // Opened again on a later day: told again.
    now = new Date('2026-12-03T10:00:00Z');
    await s.open(visitor('198.51.100.50'));
    await s.alerts.settle(1_000);
    expect(s.told.map((t) => t.at)).toEqual([
      '2026-12-01T09:00:00.000Z',
      '2026-12-03T10:00:00.000Z',
    ]);
  });

  test('a telling that fails never fails the visit', async () => {
    const s = await withLink({
      tell: async () => {
        throw new Error('SNS is down');
      },
    });
    expect(await s.open()).toMatchObject({ counted: 'visitor' });
    await s.alerts.settle(1_000);
    expect(s.logs.some((line) => line.msg === 'a link alert was not sent')).toBe(true);
  });
});

test('links are private: no public route shows a slug, a note or a link’s counts', async () => {
  const note = `secret-note-${randomUUID()}`;
  const s = await withLink({ page: '/', note });
  await s.app.request(`/r/${s.link.slug}`, { headers: visitor('198.51.100.60', LINKEDIN_PREVIEW) });
  await s.open(visitor('198.51.100.61'), 'https://www.linkedin.com/');
  await s.open(visitor('198.51.100.62'));
  const publicRoutes = [
    `/api/count${query('/')}`,
    `/api/count${query('/')}&via=${s.link.slug}`,
    '/api/pages',
    '/api/stats',
    '/api/stats?days=90',
    `/api/stats${query('/')}`,
    '/api/badge.svg',
    '/api/badge.svg?metric=visitors',
    '/api/shield',
    '/api/health',
    `/api/nope/${s.link.slug}`,
    `/api/count?page=${s.link.slug}`,
    `/r/${slug()}`,
  ];
  for (const path of publicRoutes) {
    for (const headers of [visitor(), { ...s.fromSite, 'user-agent': BROWSER_UA }]) {
      const res = await s.app.request(path, { headers });
      const seen = `${[...res.headers].join(' ')} ${await res.text()}`;
      expect(seen, path).not.toContain(note);
      if (!path.includes(s.link.slug)) expect(seen, path).not.toContain(s.link.slug);
    }
  }
  // The one POST answer a link's visit gets says nothing of the link either.
  const answer = await s.open(visitor('198.51.100.63'));
  expect(Object.keys(answer).sort()).toEqual(['bots', 'counted', 'page', 'views', 'visitors']);
});
