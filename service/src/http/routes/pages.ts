import { Hono } from 'hono/quick';
import { readerSite, siteTotal } from '../../domain/scope.js';
import type { CounterStore } from '../../domain/store.js';
import { methodNotAllowed, resourceCors } from '../http.js';

/** The most pages one answer lists. */
export const MAX_PAGES = 1000;

const METHODS = ['GET', 'OPTIONS'];

/**
 * `/pages`: the counted pages of the site with their totals, most viewed first, at most
 * `MAX_PAGES` of them; `truncated` and `total` say when there are more. Bounded whatever the
 * site holds: it reads at most `maxPagesPerSite` entries of the by-site index (all of them, as
 * long as the site is within that limit), never the whole index.
 */
export function pagesRoutes(options: {
  readonly counter: CounterStore;
  readonly allowedOrigins: readonly string[];
  /** The most page counters a site holds (`MAX_PAGES_PER_SITE`): the most entries read. */
  readonly maxPagesPerSite: number;
}) {
  const allowed = new Set(options.allowedOrigins);
  return (
    new Hono()
      // Sites that embed the counter may list their own pages.
      .use('/', ...resourceCors(METHODS, allowed))
      .get('/', async (c) => {
        const site = readerSite(c, allowed);
        const max = Math.max(options.maxPagesPerSite, MAX_PAGES);
        const listed = await options.counter.pages(siteTotal(site), max);
        const pages = listed.pages
          // Pages as the API names them: without their site's prefix.
          .map((entry) => ({ ...entry, page: entry.page.slice(site.length) }))
          .sort(
            (a, b) => b.views - a.views || b.visitors - a.visitors || (a.page < b.page ? -1 : 1),
          );
        return c.json({
          pages: pages.slice(0, MAX_PAGES),
          // When even the read was cut short (a site over MAX_PAGES_PER_SITE, from pages made
          // before it or by the admin CLI), `total` is how many were read: at least that many.
          total: listed.read,
          truncated: listed.read > MAX_PAGES,
        });
      })
      .all('/', methodNotAllowed(METHODS))
  );
}
