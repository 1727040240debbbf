import { HTTPException } from 'hono/http-exception';
import { afterAll, describe, expect, test } from 'vitest';
import { query, testApp, uniquePage, visitor } from '../../test/support/index.js';
import { MAX_BODY_BYTES } from '../src/http/routes/count.js';

const { app, client, database } = testApp({ allowedOrigins: ['https://friend.example'] });
afterAll(() => client.destroy());

/** A POST from a person's browser (the same one throughout this file), unless headers say otherwise. */
const post = (path: string, init: RequestInit = {}) =>
  app.request(path, {
    ...init,
    method: 'POST',
    headers: { ...visitor(), ...(init.headers as Record<string, string>) },
  });

async function views(page: string): Promise<number> {
  const res = await app.request(`/api/count${query(page)}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { views: number }).views;
}

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body;
}

describe('GET /api/count', () => {
  test('GET /api/count returns 0 for a page never counted', async () => {
    const page = uniquePage();
    const res = await app.request(`/api/count${query(page)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ page, views: 0, visitors: 0, bots: 0 });
  });

  test('GET /api/count never creates or changes an item', async () => {
    const page = uniquePage();
    for (let i = 0; i < 3; i++) expect(await views(page)).toBe(0);
    await post(`/api/count${query(page)}`);
    for (let i = 0; i < 3; i++) expect(await views(page)).toBe(1);
  });

  test('GET /api/count without page reads the root page', async () => {
    const res = await app.request('/api/count');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { page: string }).page).toBe('/');
  });

  test('GET /api/count keeps page keys case-sensitive and exact', async () => {
    const base = uniquePage();
    await post(`/api/count${query(`${base}/About`)}`);
    expect(await views(`${base}/About`)).toBe(1);
    expect(await views(`${base}/about`)).toBe(0);
    expect(await views(`${base}/About/`)).toBe(0);
  });
});

describe('POST /api/count', () => {
  test('POST /api/count increments once and returns the new total', async () => {
    const page = uniquePage();
    for (const expected of [1, 2, 3]) {
      const res = await post(`/api/count${query(page)}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        page,
        views: expected,
        visitors: 1,
        bots: 0,
        counted: expected === 1 ? 'visitor' : 'view',
      });
    }
    expect(await views(page)).toBe(3);
  });

  test('POST /api/count stores one counter item per page', async () => {
    const page = uniquePage('Mixed Case ünïcode 🎉');
    await post(`/api/count${query(page)}`);
    const { data } = await database.entities.counter
      .get({ page })
      .go({ data: 'raw', consistent: true });
    const { Item } = data as { Item?: Record<string, unknown> };
    expect(Item?.views).toBe(1);
    expect(Item?.page).toBe(page);
  });

  test('POST /api/count decodes + and percent-escapes the way browsers encode them', async () => {
    const base = uniquePage();
    const res = await post(`/api/count?page=${base}/a+b%20c%2Fd`);
    expect(await res.json()).toMatchObject({ page: `${base}/a b c/d`, views: 1 });
  });

  test('POST /api/count accepts a small body and ignores it', async () => {
    const page = uniquePage();
    const res = await post(`/api/count${query(page)}`, {
      body: JSON.stringify({ views: 1000 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(await res.json()).toMatchObject({ page, views: 1 });
  });

  test('POST /api/count with a body over 1 KiB is 413 and counts nothing', async () => {
    const page = uniquePage();
    const body = 'x'.repeat(MAX_BODY_BYTES + 1);
    await expectError(await post(`/api/count${query(page)}`, { body }), 413, 'body_too_large');
    // Streamed without Content-Length, the limit still holds.
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 4; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(512)));
        controller.close();
      },
    });
    await expectError(
      await post(`/api/count${query(page)}`, {
        body: stream,
        duplex: 'half',
      } as RequestInit),
      413,
      'body_too_large',
    );
    expect(await views(page)).toBe(0);
  });

  test('POST /api/count accepts a body of exactly 1 KiB', async () => {
    const page = uniquePage();
    const res = await post(`/api/count${query(page)}`, {
      body: 'x'.repeat(MAX_BODY_BYTES),
    });
    expect(res.status).toBe(200);
  });
});

describe('invalid page keys are 400 invalid_page and change nothing', () => {
  const cases: [string, string][] = [
    ['missing slash', 'page=about'],
    ['empty', 'page='],
    ['bare name', 'page'],
    ['over 256 characters', `page=/${'a'.repeat(256)}`],
    ['over 256 code points', `page=/${encodeURIComponent('é'.repeat(256))}`],
    ['over 256 bytes of UTF-8', `page=/${encodeURIComponent('é'.repeat(128))}`],
    ['control character', 'page=/a%0Ab'],
    ['tab', 'page=/a%09b'],
    ['NUL', 'page=/a%00b'],
    ['DEL', 'page=/a%7Fb'],
    ['C1 control', 'page=/a%C2%85b'],
    ['malformed escape', 'page=/%E0%A4%A'],
    ['truncated escape', 'page=/abc%'],
    ['non-hex escape', 'page=/%ZZ'],
    ['invalid UTF-8', 'page=/%C0%AF'],
    ['lone surrogate', 'page=/%ED%A0%80'],
    ['given twice', 'page=/a&page=/b'],
  ];

  for (const [name, search] of cases) {
    for (const method of ['GET', 'POST']) {
      test(`${method} /api/count rejects a page key: ${name}`, async () => {
        const res = await app.request(`/api/count?${search}`, { method });
        const body = await expectError(res, 400, 'invalid_page');
        expect(body.error.message).toMatch(/page/);
      });
    }
  }

  test('an allowed site’s pages have 256 bytes less twice its origin: its counters stay under 1 KB', async () => {
    const friend = { origin: 'https://friend.example', 'sec-fetch-site': 'cross-site' };
    const room = 256 - 2 * 'https://friend.example'.length;
    const fits = `/${'a'.repeat(room - 1)}`;
    const res = await post(`/api/count${query(fits)}`, { headers: friend });
    expect(await res.json()).toMatchObject({ page: fits, views: 1 });
    for (const method of ['GET', 'POST']) {
      const over = await app.request(`/api/count${query(`${fits}a`)}`, {
        method,
        headers: { ...visitor(), ...friend },
      });
      const body = await expectError(over, 400, 'invalid_page');
      expect(body.error.message).toBe(
        `page must be at most ${room} bytes of UTF-8 on https://friend.example (this one is ${room + 1})`,
      );
    }
  });

  test('POST /api/count with a bad key leaves the nearby valid key untouched', async () => {
    const page = uniquePage();
    await post(`/api/count?page=${page}%00`);
    await post(`/api/count?page=${page}%ZZ`);
    expect(await views(page)).toBe(0);
  });

  test('POST /api/count counts a page key of exactly 256 characters, and one of 256 bytes', async () => {
    for (const page of [`/${'a'.repeat(255)}`, `/${'é'.repeat(127)}x`]) {
      const res = await post(`/api/count${query(page)}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ page, views: 1 });
      expect(await views(page)).toBe(1);
    }
  });
});

describe('methods and paths', () => {
  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    test(`${method} /api/count is 405 with Allow and changes nothing`, async () => {
      const page = uniquePage();
      const res = await app.request(`/api/count${query(page)}`, { method });
      await expectError(res, 405, 'method_not_allowed');
      expect(res.headers.get('allow')).toBe('GET, POST, OPTIONS');
      expect(await views(page)).toBe(0);
    });
  }

  test('OPTIONS /api/count answers 204 without a body', async () => {
    const res = await app.request('/api/count', { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.get('allow')).toBe('GET, POST, OPTIONS');
    expect(await res.text()).toBe('');
  });

  for (const path of [
    '/api',
    '/api/',
    '/api/counts',
    '/api/count/extra',
    '/api/nope?page=/',
    '/elsewhere',
  ]) {
    test(`GET ${path} is a 404 JSON error`, async () => {
      await expectError(await app.request(path), 404, 'not_found');
    });
  }

  test('GET /api/health answers ok', async () => {
    const res = await app.request('/api/health');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});

describe('headers', () => {
  test('every response carries nosniff and no-store, errors included', async () => {
    for (const [path, method] of [
      ['/api/count', 'GET'],
      ['/api/count?page=bad', 'GET'],
      ['/api/missing', 'GET'],
      ['/api/count', 'PUT'],
    ] as const) {
      const res = await app.request(path, { method });
      expect(res.headers.get('x-content-type-options'), `${method} ${path}`).toBe('nosniff');
      expect(res.headers.get('cache-control'), `${method} ${path}`).toBe('no-store');
    }
  });

  test('GET /api/count grants CORS to an allowed origin', async () => {
    const res = await app.request('/api/count', { headers: { origin: 'https://friend.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('https://friend.example');
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  test('GET /api/count grants no CORS to a foreign origin', async () => {
    const res = await app.request('/api/count', { headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('OPTIONS /api/count preflight: allowed origin granted, foreign origin not', async () => {
    const preflight = (origin: string) =>
      app.request('/api/count', {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST' },
      });
    const friend = await preflight('https://friend.example');
    expect(friend.status).toBe(204);
    expect(friend.headers.get('access-control-allow-origin')).toBe('https://friend.example');
    expect(friend.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    const foreign = await preflight('https://evil.example');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('with no allow-list, no origin gets CORS', async () => {
    const { app: sameOrigin, client: other } = testApp();
    const res = await sameOrigin.request('/api/count', {
      headers: { origin: 'https://friend.example' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    other.destroy();
  });
});

describe('errors Hono raises', () => {
  test.each([
    [400, 'bad_request'],
    [401, 'unauthorized'],
    [413, 'payload_too_large'],
    [418, 'i_m_a_teapot'],
    [422, 'unprocessable_entity'],
  ] as const)(
    'an HTTPException %i keeps its status and answers JSON code %s',
    async (status, code) => {
      const { app: withRoute, client: own } = testApp();
      withRoute.get('/api/raises', () => {
        throw new HTTPException(status);
      });
      const res = await withRoute.request('/api/raises');
      const body = await expectError(res, status, code);
      expect(body.error.message).toBe(code.replaceAll('_', ' '));
      own.destroy();
    },
  );

  test('an HTTPException keeps its own message', async () => {
    const { app: withRoute, client: own } = testApp();
    withRoute.get('/api/raises', () => {
      throw new HTTPException(401, { message: 'sign in first' });
    });
    const body = await expectError(await withRoute.request('/api/raises'), 401, 'unauthorized');
    expect(body.error.message).toBe('sign in first');
    own.destroy();
  });
});
