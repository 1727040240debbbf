import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { validator } from 'hono/validator';
import { errorResponse } from '../http.js';
import { parsePage } from '../page.js';
import type { CounterStore } from '../store.js';

/** POST bodies are ignored; anything larger than this is refused before it is read in full. */
export const MAX_BODY_BYTES = 1024;

const ALLOW = 'GET, POST, OPTIONS';

export interface CountRoutesOptions {
  readonly counter: CounterStore;
  readonly allowedOrigins: readonly string[];
}

/** `/count`: read (GET) and atomically increment (POST) one page's views. */
export function countRoutes({ counter, allowedOrigins }: CountRoutesOptions) {
  const allowed = new Set(allowedOrigins);

  const page = validator('query', (_query, c) => {
    const url = c.req.url;
    const start = url.indexOf('?');
    const result = parsePage(start === -1 ? '' : url.slice(start + 1));
    if (!result.ok) return errorResponse(c, 400, 'invalid_page', result.message);
    return { page: result.page };
  });

  return new Hono()
    .use('/', async (c, next) => {
      if (c.req.method === 'OPTIONS') c.header('Allow', ALLOW);
      await next();
    })
    .use(
      '/',
      cors({
        origin: (origin) => (allowed.has(origin) ? origin : null),
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        maxAge: 600,
      }),
    )
    .get('/', page, async (c) => {
      const { page } = c.req.valid('query');
      return c.json({ page, views: await counter.views(page) });
    })
    .post(
      '/',
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: (c) =>
          errorResponse(
            c,
            413,
            'body_too_large',
            `request body must be at most ${MAX_BODY_BYTES} bytes`,
          ),
      }),
      page,
      async (c) => {
        const { page } = c.req.valid('query');
        return c.json({ page, views: await counter.increment(page) });
      },
    )
    .all('/', (c) =>
      errorResponse(
        c,
        405,
        'method_not_allowed',
        `${c.req.method} is not allowed here; use ${ALLOW}`,
        {
          Allow: ALLOW,
        },
      ),
    );
}
