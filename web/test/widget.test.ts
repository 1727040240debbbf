import { afterAll, describe, expect, test } from 'vitest';
import { refusingEndpoint } from '../../test/support/fault-proxy.js';
import { testApp, testClient, uniquePage, visitor } from '../../test/support/index.js';
import {
  type CountRequest,
  formatViews,
  IGNORE_KEY,
  ignoreFlag,
  loadCounts,
  metricFrom,
  TIMEOUT_MS,
  viaFrom,
} from '../src/widget.js';

// The widget's requests go to the real app on dynalite, in-process: only the browser is absent,
// so each request carries what a person's browser behind CloudFront would.
const { app, client } = testApp();
afterAll(() => client.destroy());
const personFetch =
  (target: { fetch: (request: Request) => Response | Promise<Response> }): typeof fetch =>
  async (input, init) => {
    const request = new Request(input, init);
    for (const [name, value] of Object.entries(visitor())) request.headers.set(name, value);
    return target.fetch(request);
  };
const appFetch = personFetch(app);

/** sessionStorage's contract, kept in a Map (the browser tests use the real one). */
function sessionStore(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (key) => items.get(key) ?? null,
    key: (index) => [...items.keys()][index] ?? null,
    removeItem: (key) => void items.delete(key),
    setItem: (key, value) => void items.set(key, String(value)),
  };
}

const visit = async (page: string, overrides: Partial<CountRequest> = {}) =>
  (
    await loadCounts({
      apiBase: 'https://resume.example',
      page,
      fetch: appFetch,
      storage: sessionStore(),
      ...overrides,
    })
  ).views;

describe('loadCounts', () => {
  test('the first load in a session counts the visit; later loads only read', async () => {
    const page = uniquePage('widget');
    const session = sessionStore();
    expect(await visit(page, { storage: session })).toBe(1);
    expect(await visit(page, { storage: session })).toBe(1);
    expect(await visit(page, { storage: session })).toBe(1);
    // Another visitor's session counts once more.
    expect(await visit(page, { storage: sessionStore() })).toBe(2);
    expect(await visit(page, { storage: session })).toBe(2);
  });

  test('each page is counted on its own', async () => {
    const session = sessionStore();
    const a = uniquePage('a');
    const b = uniquePage('b');
    expect(await visit(a, { storage: session })).toBe(1);
    expect(await visit(b, { storage: session })).toBe(1);
  });

  test('without storage (or when it throws) every load counts, and nothing breaks', async () => {
    const page = uniquePage('no-storage');
    expect(await visit(page, { storage: undefined })).toBe(1);
    const broken = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    expect(await visit(page, { storage: broken })).toBe(2);
  });

  test('sends the page percent-encoded under the API base, path prefix kept', async () => {
    const seen: string[] = [];
    const page = uniquePage('ünï code/with space?and=query');
    const recording: typeof fetch = async (input, init) => {
      seen.push(String(input));
      // The app itself is mounted at the root: strip the prefix a gateway would strip.
      return appFetch(String(input).replace('/prefix/', '/'), init);
    };
    expect(await visit(page, { apiBase: 'https://api.example/prefix', fetch: recording })).toBe(1);
    expect(seen).toEqual([`https://api.example/prefix/api/count?page=${encodeURIComponent(page)}`]);
  });

  test('the count carries ?via= and the referrer; a later read in the session carries neither', async () => {
    const seen: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push(String(input));
      return appFetch(input, init);
    };
    const page = uniquePage('via');
    const session = sessionStore();
    const from = { via: 'acme-backend', referrer: 'https://www.linkedin.com/feed/' };
    await visit(page, { fetch: recording, storage: session, ...from });
    await visit(page, { fetch: recording, storage: session, ...from });
    await visit(page, { fetch: recording, referrer: `https://x.example/${'a'.repeat(3000)}` });
    const [count, read, long] = seen.map((url) => new URL(url).searchParams);
    expect(count?.get('via')).toBe('acme-backend');
    expect(count?.get('ref')).toBe('https://www.linkedin.com/feed/');
    expect([read?.has('via'), read?.has('ref')]).toEqual([false, false]);
    // Too long to be kept: not sent at all.
    expect(long?.has('ref')).toBe(false);
  });

  test('viaFrom takes a slug from the page’s query, and nothing else', () => {
    expect(viaFrom('?via=acme-backend')).toBe('acme-backend');
    expect(viaFrom('?utm_source=x&via=a1')).toBe('a1');
    for (const search of ['', '?via=', '?via=Acme', '?via=a%20b', `?via=${'a'.repeat(41)}`]) {
      expect(viaFrom(search), search).toBeUndefined();
    }
  });

  test('a 503 from the API rejects and leaves the visit uncounted for the next load', async () => {
    const page = uniquePage('unavailable');
    const down = testApp({ client: testClient(await refusingEndpoint()) });
    const session = sessionStore();
    const downFetch = personFetch(down.app);
    await expect(visit(page, { storage: session, fetch: downFetch })).rejects.toThrow('503');
    expect(await visit(page, { storage: session })).toBe(1);
    down.client.destroy();
  });

  test('a network failure rejects', async () => {
    const offline: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(visit(uniquePage(), { fetch: offline })).rejects.toThrow('Failed to fetch');
  });

  test('an API that never answers is abandoned after the timeout', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () =>
          reject(new DOMException('aborted', 'AbortError')),
        );
      });
    const started = performance.now();
    await expect(visit(uniquePage(), { fetch: hanging, timeoutMs: 100 })).rejects.toThrow(
      'aborted',
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(TIMEOUT_MS).toBe(5_000);
  });

  test.each([
    ['no count', '{"page":"/"}'],
    ['a string count', '{"views":"12","visitors":1,"bots":0}'],
    ['a negative count', '{"views":-1,"visitors":1,"bots":0}'],
    ['a fractional count', '{"views":1.5,"visitors":1,"bots":0}'],
    ['no visitors', '{"views":1,"bots":0}'],
    ['null', 'null'],
  ])('an answer with %s rejects rather than showing garbage', async (_name, body) => {
    const odd: typeof fetch = async () =>
      new Response(body, { headers: { 'content-type': 'application/json' } });
    await expect(visit(uniquePage(), { fetch: odd })).rejects.toThrow('without a count');
  });

  test('HTML where JSON was expected rejects', async () => {
    const html: typeof fetch = async () => new Response('<!doctype html><p>Oops</p>');
    await expect(visit(uniquePage(), { fetch: html })).rejects.toThrow();
  });
});

describe('the ignore flag', () => {
  test('an ignored browser only reads: nothing is counted', async () => {
    const page = uniquePage('ignored');
    const methods: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      methods.push(init?.method ?? 'GET');
      return appFetch(input, init);
    };
    const session = sessionStore();
    expect(await visit(page, { fetch: recording, storage: session, ignored: true })).toBe(0);
    expect(await visit(page, { fetch: recording, storage: session, ignored: true })).toBe(0);
    expect(methods).toEqual(['GET', 'GET']);
    // The same browser, counted again, counts this session's first load.
    expect(await visit(page, { fetch: recording, storage: session })).toBe(1);
  });

  test('#footfall-ignore sets it, #footfall-count clears it, other hashes keep it', () => {
    const local = sessionStore();
    expect(ignoreFlag('', local)).toEqual({ ignored: false });
    expect(ignoreFlag('#footfall-ignore', local)).toEqual({ ignored: true, changed: 'ignored' });
    expect(local.getItem(IGNORE_KEY)).toBe('1');
    expect(ignoreFlag('#experience', local)).toEqual({ ignored: true });
    expect(ignoreFlag('#footfall-count', local)).toEqual({ ignored: false, changed: 'counted' });
    expect(ignoreFlag('', local)).toEqual({ ignored: false });
    // No storage at all: the flag holds for this load only.
    expect(ignoreFlag('#footfall-ignore', undefined)).toEqual({
      ignored: true,
      changed: 'ignored',
    });
  });
});

describe('metricFrom', () => {
  // Just enough of a Document: the one query the widget makes of it.
  const withMeta = (content: string | undefined) =>
    ({
      querySelector: (selector: string) =>
        selector === 'meta[name="footfall-show"]' && content !== undefined ? { content } : null,
    }) as unknown as Document;

  test('visitors by default; <meta name="footfall-show" content="views"> switches to views', () => {
    expect(metricFrom(withMeta(undefined))).toBe('visitors');
    expect(metricFrom(withMeta('views'))).toBe('views');
    expect(metricFrom(withMeta(' views '))).toBe('views');
    expect(metricFrom(withMeta('bots'))).toBe('visitors');
  });
});

describe('formatViews', () => {
  test('groups digits by locale', () => {
    expect(formatViews(1234567, 'en-US')).toBe('1,234,567');
    expect(formatViews(1234567, 'de-DE')).toBe('1.234.567');
    expect(formatViews(0, 'en-US')).toBe('0');
  });
});
