import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Hono } from 'hono/quick';
import { validator } from 'hono/validator';
import { type Arrival, slugOf } from '../../domain/links.js';
import { parsePage, rawQueryOf } from '../../domain/page.js';
import {
  pageTooLong,
  readerSite,
  scopedPage,
  siteOfRequest,
  siteTotal,
} from '../../domain/scope.js';
import { sourceOf } from '../../domain/sources.js';
import type { CounterStore, Visitor } from '../../domain/store.js';
import { type AddressList, isBot } from '../../domain/visitor.js';
import { errorResponse, methodNotAllowed, resourceCors } from '../http.js';

/** POST bodies are ignored; anything larger than this is refused before it is read in full. */
export const MAX_BODY_BYTES = 1024;

const METHODS = ['GET', 'POST', 'OPTIONS'];

/** The viewer's network address, as the entry point knows it; undefined when unknown. */
export type AddressOf = (c: Context) => string | undefined;
/** The viewer's country (ISO 3166-1 alpha-2) as the entry point knows it; undefined if not. */
export type CountryOf = (c: Context) => string | undefined;

export interface CountRoutesOptions {
  readonly counter: CounterStore;
  readonly allowedOrigins: readonly string[];
  /** Addresses whose POSTs are never counted. */
  readonly excluded: AddressList;
  readonly addressOf: AddressOf;
  readonly countryOf: CountryOf;
}

/** `/count`: read (GET) and count (POST) one page's views, visitors and bots. */
export function countRoutes({
  counter,
  allowedOrigins,
  excluded,
  addressOf,
  countryOf,
}: CountRoutesOptions) {
  const allowed = new Set(allowedOrigins);

  /**
   * `via` and `ref`, when given once and well-formed; anything else is ignored, never an error
   * (an old widget, a mangled link): the visit counts as usual.
   */
  const arrivalOf = (c: Context, site: string): Arrival => {
    const query = new URLSearchParams(rawQueryOf(c.req.url));
    const once = (name: string) => {
      const values = query.getAll(name);
      return values.length === 1 ? values[0] : undefined;
    };
    return {
      via: slugOf(once('via')),
      // sourceOf ignores a ref that is too long, malformed or not http(s).
      source: sourceOf(once('ref'), [new URL(c.req.url).origin, site]),
      country: countryOf(c),
    };
  };

  const page = validator('query', (_query, c) => {
    const result = parsePage(rawQueryOf(c.req.url));
    if (!result.ok) return errorResponse(c, 400, 'invalid_page', result.message);
    return { page: result.page };
  });

  const visitorOf = (c: Context): Visitor => {
    const address = addressOf(c);
    if (address !== undefined && excluded.has(address)) return { kind: 'excluded' };
    const userAgent = c.req.header('user-agent');
    if (userAgent === undefined || isBot(userAgent)) return { kind: 'bot' };
    // Without an address there is no visitor to recognise; count the view, once, as its own.
    return { kind: 'person', address: address ?? 'unknown', userAgent };
  };

  return new Hono()
    .use('/', ...resourceCors(METHODS, allowed))
    .get('/', page, async (c) => {
      const { page } = c.req.valid('query');
      // A read from an allowed site sees that site's counts; any other read, the resume's.
      const site = readerSite(c, allowed);
      const tooLong = pageTooLong(site, page);
      if (tooLong) return errorResponse(c, 400, 'invalid_page', tooLong);
      return c.json({ page, ...(await counter.counts(scopedPage(site, page))) });
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
        const from = siteOfRequest(c, allowed);
        if (!from.ok) return errorResponse(c, 403, 'forbidden_origin', from.message);
        const tooLong = pageTooLong(from.site, page);
        if (tooLong) return errorResponse(c, 400, 'invalid_page', tooLong);
        const result = await counter.record({
          page: scopedPage(from.site, page),
          site: siteTotal(from.site),
          visitor: visitorOf(c),
          arrival: arrivalOf(c, from.site),
        });
        const { counted, ...counts } = result;
        return c.json({ page, ...counts, counted });
      },
    )
    .all('/', methodNotAllowed(METHODS));
}
