import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, test } from 'vitest';
import { query, testApp, uniquePage, visitor } from '../../test/support/index.js';
import { abbreviate } from '../src/domain/badge.js';

const { app, client } = testApp({ viewsPerAddressPerDay: 0 });
afterAll(() => client.destroy());

const count = async (page: string, times: number, headers = visitor()) => {
  for (let i = 0; i < times; i++) {
    await app.request(`/api/count${query(page)}`, { method: 'POST', headers });
  }
};
/** A page with different figures for each metric: 3 views, 2 visitors, 1 bot. */
const mixedPage = async (label: string) => {
  const page = uniquePage(label);
  await count(page, 2, visitor('203.0.113.7'));
  await count(page, 1, visitor('203.0.113.8'));
  await count(page, 1, visitor('203.0.113.9', 'Googlebot/2.1 (+http://www.google.com/bot.html)'));
  return page;
};
const counts = async (page: string) =>
  (await (await app.request(`/api/count${query(page)}`)).json()) as Record<string, number>;

describe('abbreviate', () => {
  test.each([
    [0, '0'],
    [999, '999'],
    [1000, '1k'],
    [1050, '1k'],
    [12345, '12.3k'],
    [999_999, '999.9k'],
    [1_000_000, '1M'],
    [1_200_000, '1.2M'],
    [1_250_000, '1.2M'],
    [2_000_000_000, '2B'],
  ])('%i → %s (rounded down: never more than was counted)', (n, shown) => {
    expect(abbreviate(n)).toBe(shown);
  });
});

describe('GET /api/badge.svg', () => {
  test('GET /api/badge.svg is a well-formed SVG with the visitors, cached for 60 s', async () => {
    const page = uniquePage('badge');
    await count(page, 3);
    const res = await app.request(`/api/badge.svg${query(page)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    const svg = await res.text();
    expect(XMLValidator.validate(svg)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }).parse(svg);
    expect(parsed.svg['@_role']).toBe('img');
    expect(parsed.svg.title).toBe('visitors: 1');
    expect(svg).toContain('prefers-color-scheme: dark'); // theme=auto
  });

  test('metric=views, a label and a fixed theme', async () => {
    const page = uniquePage('badge-views');
    await count(page, 3);
    const res = await app.request(
      `/api/badge.svg${query(page)}&metric=views&label=hits&theme=dark`,
    );
    const svg = await res.text();
    expect(new XMLParser().parse(svg).svg.title).toBe('hits: 3');
    expect(svg).not.toContain('prefers-color-scheme');
  });

  test.each([
    ['', 'visitors: 2'],
    ['&metric=visitors', 'visitors: 2'],
    ['&metric=views', 'views: 3'],
    ['&metric=bots', 'bots: 1'],
  ])('GET /api/badge.svg?page=P%s is labelled with what it shows', async (metric, title) => {
    const page = await mixedPage('badge-label');
    const svg = await (await app.request(`/api/badge.svg${query(page)}${metric}`)).text();
    expect(new XMLParser().parse(svg).svg.title).toBe(title);
    expect(svg).toContain(`>${title.split(':')[0]}</text>`);
  });

  test('a hostile label is escaped: it cannot inject markup', async () => {
    const label = `<script>alert(1)</script>"'&x`;
    const res = await app.request(`/api/badge.svg?label=${encodeURIComponent(label)}`);
    const svg = await res.text();
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).not.toContain('<script');
    const parsed = new XMLParser({ ignoreAttributes: false, processEntities: true }).parse(svg);
    expect(parsed.svg.script).toBeUndefined();
    expect(parsed.svg.title).toBe(`${label}: 0`);
  });

  test('GETting a badge or a shield 100 times changes no count', async () => {
    const page = uniquePage('read-only');
    await count(page, 1);
    const before = await counts(page);
    for (let i = 0; i < 50; i++) {
      await app.request(`/api/badge.svg${query(page)}`, { headers: visitor() });
      await app.request(`/api/shield${query(page)}`, { headers: visitor() });
    }
    expect(await counts(page)).toEqual(before);
  });

  test.each([
    ['metric=humans', 'invalid_metric'],
    ['metric=views&metric=views', 'invalid_metric'],
    ['theme=blue', 'invalid_theme'],
    [`label=${'x'.repeat(41)}`, 'invalid_label'],
    ['label=', 'invalid_label'],
    ['label=a%E2%80%AEb', 'invalid_label'],
    ['page=nope', 'invalid_page'],
  ])('GET /api/badge.svg?%s is 400 %s, not cached', async (raw, code) => {
    const res = await app.request(`/api/badge.svg?${raw}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });
});

describe('GET /api/shield', () => {
  // https://shields.io/badges/endpoint-badge: the fields an endpoint may answer.
  const DOCUMENTED = new Set([
    'schemaVersion',
    'label',
    'message',
    'color',
    'labelColor',
    'isError',
    'namedLogo',
    'logoSvg',
    'logoColor',
    'logoWidth',
    'style',
    'cacheSeconds',
  ]);

  test('GET /api/shield is shields.io endpoint JSON, cached for 60 s', async () => {
    const page = uniquePage('shield');
    await count(page, 2);
    const res = await app.request(`/api/shield${query(page)}&metric=views&label=page%20views`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ schemaVersion: 1, label: 'page views', message: '2', color: 'blue' });
    for (const key of Object.keys(body)) expect(DOCUMENTED.has(key), key).toBe(true);
    expect(typeof body.message).toBe('string');
  });

  test.each([
    ['', 'visitors', '2'],
    ['&metric=visitors', 'visitors', '2'],
    ['&metric=views', 'views', '3'],
    ['&metric=bots', 'bots', '1'],
  ])('GET /api/shield?page=P%s is labelled %s by default', async (metric, label, message) => {
    const page = await mixedPage('shield-label');
    const res = await app.request(`/api/shield${query(page)}${metric}`);
    expect(await res.json()).toEqual({ schemaVersion: 1, label, message, color: 'blue' });
  });

  test('everything else under /api stays uncacheable', async () => {
    for (const path of ['/api/count', '/api/stats', '/api/health', '/api/nothing']) {
      const res = await app.request(path);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
  });
});
