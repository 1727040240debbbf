import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { errorResponse } from '../http.js';
import { siteOfRequest, siteTotal } from '../scope.js';
import type { CounterStore } from '../store.js';

/** The most pages one answer lists. */
export const MAX_PAGES = 1000;

const ALLOW = 'GET, OPTIONS';

/**
 * `/pages`: every counted page of the site with its totals, most viewed first, at most
 * `MAX_PAGES` of them; `truncated` and `total` say when there are more. One query.
 */
export function pagesRoutes(options: {
  readonly counter: CounterStore;
  readonly allowedOrigins: readonly string[];
}) {
  const allowed = new Set(options.allowedOrigins);
  return new Hono()
    .use('/', async (c, next) => {
      if (c.req.method === 'OPTIONS') c.header('Allow', ALLOW);
      await next();
    })
    .use(
      '/',
      cors({
        origin: (origin) => (allowed.has(origin) ? origin : null),
        allowMethods: ['GET', 'OPTIONS'],
        maxAge: 600,
      }),
    )
    .get('/', async (c) => {
      const from = siteOfRequest(c, allowed);
      const site = from.ok ? from.site : '';
      const pages = (await options.counter.pages(siteTotal(site)))
        // Pages as the API names them: without their site's prefix.
        .map((entry) => ({ ...entry, page: entry.page.slice(site.length) }))
        .sort((a, b) => b.views - a.views || b.visitors - a.visitors || (a.page < b.page ? -1 : 1));
      return c.json({
        pages: pages.slice(0, MAX_PAGES),
        total: pages.length,
        truncated: pages.length > MAX_PAGES,
      });
    })
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
