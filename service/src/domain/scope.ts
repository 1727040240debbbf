import { MAX_PAGE_BYTES } from './page.js';

/**
 * Whose counts a request touches. The resume's own pages are keyed by their path (`/about`);
 * a page of another site that embeds the counter (an origin in `ALLOWED_ORIGINS`) is keyed by
 * that origin and its path (`https://blog.example/about`), so the two never mix. A site's own
 * totals are kept under its key followed by `*` (`*` for the resume, `https://blog.example*`),
 * which no page key can equal: pages start with `/`. ADR 8.
 */

/** The resume's own site. */
export const OWN_SITE = '';

/** The key of `page` (as the API names it) on `site`. */
export const scopedPage = (site: string, page: string): string => `${site}${page}`;

/**
 * Why `page` is too long to be counted on `site`, or undefined when it is not. An allowed site's
 * origin takes room in its pages' counters (its key twice: in the page's key and its site's), so
 * its pages may have `MAX_PAGE_BYTES` less twice the origin's length: every counter stays under
 * 1 KB (ADR 12). The resume's own pages have all of `MAX_PAGE_BYTES` (`page.ts` holds them to it).
 */
export function pageTooLong(site: string, page: string): string | undefined {
  if (site === OWN_SITE) return undefined;
  const room = MAX_PAGE_BYTES - 2 * Buffer.byteLength(site);
  const bytes = Buffer.byteLength(page);
  return bytes > room
    ? `page must be at most ${Math.max(room, 0)} bytes of UTF-8 on ${site} (this one is ${bytes})`
    : undefined;
}

/** The key of the whole site's counts. */
export const siteTotal = (site: string): string => `${site}*`;

export type SiteResult = { ok: true; site: string } | { ok: false; message: string };

export interface RequestOrigin {
  /** The request's `Origin` header. */
  readonly origin: string | undefined;
  /** The request's `Sec-Fetch-Site` header (set by browsers, never by page scripts). */
  readonly fetchSite: string | undefined;
  /** The origin the request was addressed to. */
  readonly ownOrigin: string;
}

/** `siteOf` for a Hono request. */
export function siteOfRequest(
  c: { req: { header(name: string): string | undefined; url: string } },
  allowed: ReadonlySet<string>,
): SiteResult {
  return siteOf(
    {
      origin: c.req.header('origin'),
      fetchSite: c.req.header('sec-fetch-site'),
      ownOrigin: new URL(c.req.url).origin,
    },
    allowed,
  );
}

/** The site a read answers for: an allowed site's own numbers, else the resume's. */
export function readerSite(
  c: Parameters<typeof siteOfRequest>[0],
  allowed: ReadonlySet<string>,
): string {
  const result = siteOfRequest(c, allowed);
  return result.ok ? result.site : OWN_SITE;
}

/**
 * Which site a request speaks for. Browsers say where a request comes from in headers no page
 * script can set (`Origin`, `Sec-Fetch-Site`), so a hostile page cannot count through its own
 * visitors' browsers: only the resume itself and the allow-listed sites may.
 */
export function siteOf(
  { origin, fetchSite, ownOrigin }: RequestOrigin,
  allowed: ReadonlySet<string>,
): SiteResult {
  if (fetchSite === 'same-origin') return { ok: true, site: OWN_SITE };
  if (origin !== undefined && origin !== 'null' && allowed.has(origin)) {
    return { ok: true, site: origin };
  }
  if (fetchSite === 'same-site' || fetchSite === 'cross-site') {
    return { ok: false, message: 'this counter does not count visits sent from other sites' };
  }
  if (origin !== undefined && origin !== ownOrigin) {
    return { ok: false, message: `origin ${origin} may not count visits here` };
  }
  // No Origin: not a cross-site browser request (curl, a server, the smoke test).
  return { ok: true, site: OWN_SITE };
}

/**
 * The site-totals key (`siteTotal`) of a page key: `*` for the resume's pages (`/about`),
 * `https://blog.example*` for `https://blog.example/about`. Undefined for a key that is no
 * page's (a site's own totals, `…*`).
 */
export function siteTotalOfPage(pageKey: string): string | undefined {
  if (pageKey.startsWith('/')) return siteTotal(OWN_SITE);
  const scheme = pageKey.indexOf('://');
  if (scheme === -1) return undefined;
  const path = pageKey.indexOf('/', scheme + 3);
  return path === -1 ? undefined : siteTotal(pageKey.slice(0, path));
}
