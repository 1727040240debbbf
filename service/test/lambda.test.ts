import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { BROWSER_UA, stubLambdaEnvironment, uniquePage } from '../../test/support/index.js';
import {
  type EventRequest,
  functionUrlEvent,
  httpApiEventViaCloudFront,
  type LambdaResult,
  lambdaContext,
} from '../../test/support/lambda-events.js';

type Handler = (event: unknown, context: unknown) => Promise<LambdaResult>;
let handler: Handler;

beforeAll(async () => {
  // The entry point reads its configuration from the environment, as it does in Lambda.
  stubLambdaEnvironment();
  ({ handler } = (await import('../src/lambda.js')) as unknown as { handler: Handler });
});
afterAll(() => vi.unstubAllEnvs());

const shapes = [
  ['HTTP API 2.0 via CloudFront', httpApiEventViaCloudFront],
  ['Function URL', functionUrlEvent],
] as const;

for (const [shape, makeEvent] of shapes) {
  describe(`handler with a ${shape} event`, () => {
    const invoke = (request: EventRequest) => handler(makeEvent(request), lambdaContext);

    test('POST /api/count increments once; GET /api/count reads it back', async () => {
      const page = uniquePage(shape);
      const rawQueryString = `page=${encodeURIComponent(page)}`;
      const posted = await invoke({
        method: 'POST',
        path: '/api/count',
        rawQueryString,
        headers: { 'user-agent': BROWSER_UA },
      });
      expect(posted.statusCode).toBe(200);
      expect(posted.isBase64Encoded).toBe(false);
      expect(posted.headers?.['content-type']).toMatch(/^application\/json/);
      expect(posted.headers?.['x-content-type-options']).toBe('nosniff');
      expect(JSON.parse(posted.body)).toEqual({
        page,
        views: 1,
        visitors: 1,
        bots: 0,
        counted: 'visitor',
      });

      const read = await invoke({ method: 'GET', path: '/api/count', rawQueryString });
      expect(JSON.parse(read.body)).toEqual({ page, views: 1, visitors: 1, bots: 0 });
    });

    test('without ORIGIN_SECRETS the viewer is the request’s source, whatever headers say', async () => {
      // Nothing vouches for CloudFront-Viewer-Address here: a caller could pick any address.
      const page = uniquePage(`${shape} source`);
      const rawQueryString = `page=${encodeURIComponent(page)}`;
      for (const claimed of ['203.0.113.1:1', '203.0.113.2:1', '2001:db8::9:1']) {
        await invoke({
          method: 'POST',
          path: '/api/count',
          rawQueryString,
          headers: { 'user-agent': BROWSER_UA, 'cloudfront-viewer-address': claimed },
        });
      }
      const read = await invoke({ method: 'GET', path: '/api/count', rawQueryString });
      expect(JSON.parse(read.body)).toMatchObject({ views: 3, visitors: 1 });
    });

    test('GET /api/count with a malformed escape is 400 JSON', async () => {
      const result = await invoke({
        method: 'GET',
        path: '/api/count',
        rawQueryString: 'page=/%E0%A4%A',
      });
      expect(result.statusCode).toBe(400);
      expect(JSON.parse(result.body).error.code).toBe('invalid_page');
    });

    test('POST /api/count with a base64 body over 1 KiB is 413', async () => {
      const page = uniquePage(shape);
      const rawQueryString = `page=${encodeURIComponent(page)}`;
      const body = Buffer.alloc(2048, 1).toString('base64');
      const result = await invoke({
        method: 'POST',
        path: '/api/count',
        rawQueryString,
        body,
        isBase64Encoded: true,
      });
      expect(result.statusCode).toBe(413);
      expect(JSON.parse(result.body).error.code).toBe('body_too_large');
      const read = await invoke({ method: 'GET', path: '/api/count', rawQueryString });
      expect(JSON.parse(read.body).views).toBe(0);
    });

    test('DELETE /api/count is 405 with Allow', async () => {
      const result = await invoke({ method: 'DELETE', path: '/api/count' });
      expect(result.statusCode).toBe(405);
      expect(result.headers?.allow).toBe('GET, POST, OPTIONS');
    });

    test('GET /api/unknown is a 404 JSON error; GET /api/health is ok', async () => {
      const missing = await invoke({ method: 'GET', path: '/api/unknown' });
      expect(missing.statusCode).toBe(404);
      expect(JSON.parse(missing.body).error.code).toBe('not_found');
      const health = await invoke({ method: 'GET', path: '/api/health' });
      expect(JSON.parse(health.body)).toEqual({ ok: true });
    });
  });
}
