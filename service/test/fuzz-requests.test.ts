import { ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { afterAll, expect, test } from 'vitest';
import { counterItem } from '../src/counter.js';
import { tableName, testApp, uniquePage } from './support.js';

const { app, client } = testApp({ allowedOrigins: ['https://friend.example'] });
afterAll(() => client.destroy());

// Every valid key this run counts lives under one prefix, so the table can be checked after.
const prefix = uniquePage('fuzz');
const BATCH = 20;
const RUNS = 300; // 6,000 generated; the Fetch standard refuses some, over 5,000 are sent

const hostile = fc.constantFrom(
  '',
  '%',
  '%E0%A4%A',
  '%ZZ',
  '%C0%AF',
  '%ED%A0%80',
  '%00',
  '%0A',
  '%C2%85',
  '+',
  '%2F',
  '..%2F..%2F',
  'no-slash',
  '/'.repeat(300),
  `/${'é'.repeat(256)}`,
);
const validPage = fc
  .string({ unit: 'grapheme', maxLength: 40 })
  .filter((s) => !/\p{Cc}/u.test(s))
  .map((s) => `${prefix}/${s}`);
const pageValue = fc.oneof(
  { weight: 4, arbitrary: validPage.map((page) => encodeURIComponent(page)) },
  { weight: 1, arbitrary: validPage }, // unencoded: + and % in it change its meaning
  { weight: 3, arbitrary: hostile },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
);
const query = fc.oneof(
  pageValue.map((v) => `page=${v}`),
  fc.tuple(pageValue, pageValue).map(([a, b]) => `page=${a}&page=${b}`),
  pageValue.map((v) => `utm=x&page=${v}&x`),
  fc.constant(''),
  fc.string({ maxLength: 40 }),
);
const path = fc.oneof(
  { weight: 6, arbitrary: fc.constant('/api/count') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '/api/health',
      '/api/count/',
      '/api/Count',
      '/api',
      '/api/',
      '/api//count',
      '/api/count/x',
      '/',
      '/api/%2e%2e/x',
    ),
  },
  { weight: 1, arbitrary: fc.webPath() },
);
const method = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('GET', 'POST') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'post'),
  },
);
const headerValue = fc.string({ unit: 'binary-ascii', maxLength: 40 });
const headers = fc.record(
  {
    origin: fc.constantFrom('https://friend.example', 'https://evil.example', 'null', 'x'),
    'content-type': fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '\u00ff',
    ),
    'content-encoding': fc.constantFrom('gzip', 'br', 'identity', 'bogus'),
    accept: fc.constantFrom('application/json', '*/*', 'text/html'),
    'x-anything': headerValue,
    'access-control-request-method': fc.constantFrom('POST', 'DELETE'),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 64 }),
  fc.uint8Array({ minLength: 1000, maxLength: 1100 }),
  fc.uint8Array({ minLength: 2048, maxLength: 4096 }),
);
const requestSpec = fc.record({ method, path, query, headers, body });
type Spec = typeof requestSpec extends fc.Arbitrary<infer T> ? T : never;

/** The Request a client would send, or undefined where the Fetch standard itself refuses it. */
function build(spec: Spec): Request | undefined {
  try {
    const url = `http://footfall.test${spec.path}${spec.query ? `?${spec.query}` : ''}`;
    const hasBody = spec.body !== undefined && !['GET', 'HEAD'].includes(spec.method.toUpperCase());
    return new Request(url, {
      method: spec.method,
      headers: spec.headers as Record<string, string>,
      ...(hasBody ? { body: spec.body as BodyInit } : {}),
    });
  } catch {
    return undefined;
  }
}

const tally = new Map<string, number>();
let sent = 0;

async function check(request: Request): Promise<void> {
  const res = await app.fetch(request);
  const what = `${request.method} ${request.url} → ${res.status}`;
  expect(res.status, what).toBeLessThan(500);
  if (res.status === 204 || request.method === 'HEAD') return;
  expect(res.headers.get('content-type'), what).toMatch(/^application\/json/);
  const text = await res.text();
  const json = JSON.parse(text) as {
    page?: string;
    views?: number;
    error?: { code?: unknown; message?: unknown };
  };
  if (res.status >= 400) {
    expect(typeof json.error?.code, `${what} ${text}`).toBe('string');
    expect(typeof json.error?.message, `${what} ${text}`).toBe('string');
  }
  if (request.method === 'POST' && res.status === 200 && typeof json.page === 'string') {
    tally.set(json.page, (tally.get(json.page) ?? 0) + 1);
  }
}

const views = async (page: string) =>
  (
    (await (await app.request(`/api/count?page=${encodeURIComponent(page)}`)).json()) as {
      views: number;
    }
  ).views;

test('over 5,000 random requests to /api never get a 5xx, always JSON, and count only valid POSTs', async () => {
  // The root page is what a POST without `page` counts; no other test in this project POSTs it.
  const rootBefore = await views('/');
  await fc.assert(
    fc.asyncProperty(
      fc.array(requestSpec, { minLength: BATCH, maxLength: BATCH }),
      async (specs) => {
        const requests = specs
          .map(build)
          .filter((request): request is Request => request !== undefined);
        sent += requests.length;
        await Promise.all(requests.map(check));
      },
    ),
    { numRuns: RUNS },
  );
  expect(sent).toBeGreaterThan(5_000);

  // Every page a 200 POST named holds exactly that many views…
  for (const [page, count] of tally) {
    expect(await views(page), page).toBe(page === '/' ? rootBefore + count : count);
  }
  // …and nothing else under this run's prefix was written.
  const stored = new Map<string, number>();
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': { S: counterItem.partitionKey(prefix) } },
        ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
      }),
    );
    for (const item of page.Items ?? []) stored.set(item.page?.S ?? '?', Number(item.views?.N));
    ExclusiveStartKey = page.LastEvaluatedKey as typeof ExclusiveStartKey;
  } while (ExclusiveStartKey);
  const expected = new Map([...tally].filter(([page]) => page.startsWith(prefix)));
  expect(stored).toEqual(expected);
  console.info(
    `fuzz: ${sent} requests, ${[...tally.values()].reduce((a, b) => a + b, 0)} counted on ${tally.size} pages`,
  );
}, 120_000);
