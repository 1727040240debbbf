import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  BROWSER_UA,
  stubLambdaEnvironment,
  tableName,
  testClient,
  uniquePage,
} from '../../test/support/index.js';
import {
  type EventRequest,
  httpApiEventViaCloudFront,
  type LambdaResult,
  lambdaContext,
} from '../../test/support/lambda-events.js';
import { createDatabase } from '../src/db/index.js';
import { ORIGIN_VERIFY_HEADER } from '../src/http/cloudfront.js';

// The Lambda entry as deployed behind CloudFront: ORIGIN_SECRETS set (ADR 9). Only requests
// carrying CloudFront's secret are served, and only then is CloudFront's viewer address used.
const CURRENT = 'current-origin-secret-for-tests-0123456789';
const PREVIOUS = 'previous-origin-secret-for-tests-0123456789';

type Handler = (event: unknown, context: unknown) => Promise<LambdaResult>;
let handler: Handler;
beforeAll(async () => {
  stubLambdaEnvironment({
    ORIGIN_SECRETS: `${CURRENT},${PREVIOUS}`,
    // What Lambda sets: the version is the one that runs, also when the `live` alias was invoked.
    AWS_LAMBDA_FUNCTION_NAME: 'FootfallApiFunction',
    AWS_LAMBDA_FUNCTION_VERSION: '12',
  });
  ({ handler } = (await import('../src/lambda.js')) as unknown as { handler: Handler });
});
afterAll(() => vi.unstubAllEnvs());

const call = async (request: EventRequest) => {
  const result = await handler(httpApiEventViaCloudFront(request), lambdaContext);
  return { status: result.statusCode, body: JSON.parse(result.body) };
};
const countRequest = (
  method: 'GET' | 'POST',
  page: string,
  headers: Record<string, string>,
): EventRequest => ({
  method,
  path: '/api/count',
  rawQueryString: `page=${encodeURIComponent(page)}`,
  headers: { 'user-agent': BROWSER_UA, ...headers },
});
const viaCloudFront = (viewer: string, secret = CURRENT) => ({
  [ORIGIN_VERIFY_HEADER]: secret,
  'cloudfront-viewer-address': `${viewer}:40000`,
});

describe('behind CloudFront', () => {
  test('a request carrying CloudFront’s secret is served, and the viewer is who CloudFront says', async () => {
    const page = uniquePage('via-cloudfront');
    expect(await call(countRequest('POST', page, viaCloudFront('198.51.100.31')))).toMatchObject({
      status: 200,
      body: { views: 1, visitors: 1, counted: 'visitor' },
    });
    expect(await call(countRequest('POST', page, viaCloudFront('198.51.100.32')))).toMatchObject({
      status: 200,
      body: { views: 2, visitors: 2, counted: 'visitor' },
    });
  });

  test('the previous secret is still accepted while it is being rotated out', async () => {
    const page = uniquePage('rotating');
    const result = await call(countRequest('POST', page, viaCloudFront('198.51.100.33', PREVIOUS)));
    expect(result.status).toBe(200);
  });

  test.each([
    ['no secret', {}],
    ['a wrong secret', { [ORIGIN_VERIFY_HEADER]: `${CURRENT.slice(0, -1)}x` }],
    ['a secret of another length', { [ORIGIN_VERIFY_HEADER]: CURRENT.slice(1) }],
  ])('a request with %s is refused with 403 and counts nothing', async (_name, headers) => {
    const page = uniquePage('direct');
    for (const method of ['POST', 'GET'] as const) {
      const forged = { ...headers, 'cloudfront-viewer-address': '203.0.113.99:1' };
      const result = await call(countRequest(method, page, forged));
      expect(result.status).toBe(403);
      expect(result.body.error.code).toBe('forbidden');
    }
    const health = await call({ method: 'GET', path: '/api/health', headers });
    expect(health.status).toBe(403);
    expect(await call(countRequest('GET', page, viaCloudFront('198.51.100.34')))).toMatchObject({
      body: { views: 0, visitors: 0, bots: 0 },
    });
  });

  test('a refusal is written to stdout as the OriginRefused metric of the version that ran', async () => {
    // A second on, so the counter writes at once whatever earlier tests left with it.
    const later = Date.now() + 2_000;
    vi.spyOn(Date, 'now').mockReturnValue(later);
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      expect((await call({ method: 'GET', path: '/api/health', headers: {} })).status).toBe(403);
    } finally {
      vi.restoreAllMocks();
    }
    const lines = written.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'answers counted',
        FunctionName: 'FootfallApiFunction',
        ExecutedVersion: '12',
        OriginRefused: expect.any(Number),
        _aws: expect.objectContaining({ Timestamp: later }),
      }),
    ]);
  });

  test('X-Forwarded-For is never read: forging it changes nothing', async () => {
    const page = uniquePage('xff');
    for (const forwarded of ['203.0.113.1', '203.0.113.2, 198.51.100.1', 'garbage']) {
      await call(
        countRequest('POST', page, {
          ...viaCloudFront('198.51.100.35'),
          'x-forwarded-for': forwarded,
        }),
      );
    }
    expect(await call(countRequest('GET', page, viaCloudFront('198.51.100.35')))).toMatchObject({
      body: { views: 3, visitors: 1 },
    });
  });
});

describe('application links behind CloudFront', () => {
  test('an open keeps the country CloudFront gives, and /r/SLUG is served only with its secret', async () => {
    const client = testClient();
    const database = createDatabase({ client, table: tableName() });
    const slug = `cf-${randomUUID().slice(0, 8)}`;
    const page = uniquePage('cf-link');
    await database.entities.link.create({ slug, page, createdAt: new Date().toISOString() }).go();
    const open = await handler(
      httpApiEventViaCloudFront({
        method: 'POST',
        path: '/api/count',
        rawQueryString: `page=${encodeURIComponent(page)}&via=${slug}`,
        headers: {
          'user-agent': BROWSER_UA,
          ...viaCloudFront('198.51.100.90'),
          'cloudfront-viewer-country': 'JP',
        },
      }),
      lambdaContext,
    );
    expect(open.statusCode).toBe(200);
    const { data } = await database.entities.linkDay.query
      .bySlug({ slug })
      .go({ consistent: true });
    expect(data).toMatchObject([{ opens: 1, visitors: 1, countries: ['JP'] }]);

    const redirect = (headers: Record<string, string>) =>
      handler(
        httpApiEventViaCloudFront({
          method: 'GET',
          path: `/r/${slug}`,
          rawQueryString: '',
          headers,
        }),
        lambdaContext,
      );
    const served = await redirect({ 'user-agent': BROWSER_UA, ...viaCloudFront('198.51.100.91') });
    expect(served.statusCode).toBe(302);
    expect(served.headers?.location).toBe(`${page}?via=${slug}`);
    const bypass = await redirect({ 'user-agent': BROWSER_UA });
    expect(bypass.statusCode).toBe(403);
    client.destroy();
  });
});
