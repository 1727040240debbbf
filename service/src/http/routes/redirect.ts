import type { Context } from 'hono';
import { Hono } from 'hono/quick';
import { slugOf } from '../../domain/links.js';
import type { CounterStore } from '../../domain/store.js';
import type { AddressList } from '../../domain/visitor.js';
import type { AddressOf } from './count.js';

export interface RedirectRoutesOptions {
  readonly counter: CounterStore;
  /** Addresses whose fetches are never counted (the owner trying a link). */
  readonly excluded: AddressList;
  readonly addressOf: AddressOf;
  /** The link-preview fetcher a User-Agent names, if any (`domain/link-previews.ts`). */
  readonly previewOf: (userAgent: string | undefined) => string | undefined;
}

/**
 * `/r/SLUG`: an application link (ADR 14). A known link answers 302 to its page with
 * `?via=SLUG`; a link-preview fetcher (a chat app or mail scanner) is counted as one of the
 * link's previews on the way. An unknown slug answers 302 to `/` and writes nothing: nothing
 * here tells a link that exists from one that does not, but where it leads.
 */
export function redirectRoutes({ counter, excluded, addressOf, previewOf }: RedirectRoutesOptions) {
  const home = (c: Context) => c.redirect('/', 302);
  return new Hono()
    .get('/:slug', async (c) => {
      const slug = slugOf(c.req.param('slug'));
      if (slug === undefined) return home(c);
      const page = await counter.links.pageOf(slug);
      if (page === undefined) return home(c);
      const address = addressOf(c);
      const owner = address !== undefined && excluded.has(address);
      if (!owner && previewOf(c.req.header('user-agent')) !== undefined) {
        await counter.links.preview(slug);
      }
      const target = new URL(page, 'https://link.invalid');
      target.searchParams.set('via', slug);
      return c.redirect(`${target.pathname}${target.search}`, 302);
    })
    .all('*', home);
}
