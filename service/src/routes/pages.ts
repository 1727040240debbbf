import { Hono } from 'hono';
import { methodNotAllowed, resourceCors } from '../http.js';
import { readerSite, siteTotal } from '../scope.js';
import type { CounterStore } from '../store.js';

/** The most pages one answer lists. */
export const MAX_PAGES = 1000;

const METHODS = ['GET', 'OPTIONS'];

/**
 * `/pages`: every counted page of the site with its totals, most viewed first, at most
 * `MAX_PAGES` of them; `truncated` and `total` say when there are more. One query.
 */
export function pagesRoutes(options: {
  readonly counter: CounterStore;
  readonly allowedOrigins: readonly string[];
}) {
  const allowed = new Set(options.allowedOrigins);
  return (
    new Hono()
      // Sites that embed the counter may list their own pages.
      .use('/', ...resourceCors(METHODS, allowed))
      .get('/', async (c) => {
        const site = readerSite(c, allowed);
        const pages = (await options.counter.pages(siteTotal(site)))
          // Pages as the API names them: without their site's prefix.
          .map((entry) => ({ ...entry, page: entry.page.slice(site.length) }))
          .sort(
            (a, b) => b.views - a.views || b.visitors - a.visitors || (a.page < b.page ? -1 : 1),
          );
        return c.json({
          pages: pages.slice(0, MAX_PAGES),
          total: pages.length,
          truncated: pages.length > MAX_PAGES,
        });
      })
      .all('/', methodNotAllowed(METHODS))
  );
}
