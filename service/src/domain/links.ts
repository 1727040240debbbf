/**
 * Application links (ADR 14): a private `/r/SLUG` the owner sends with one application, which
 * opens a page with `?via=SLUG`. Only the admin CLI and the owner's e-mail ever show a slug, a
 * note or a link's counts; no public route does.
 */

/** A link's slug: what `/r/SLUG` and `?via=SLUG` name. */
export const SLUG_PATTERN = /^[a-z0-9-]{1,40}$/;

/** The slug in `value`, or undefined when it is not one. */
export function slugOf(value: string | undefined): string | undefined {
  return value !== undefined && SLUG_PATTERN.test(value) ? value : undefined;
}

/** How a person's visit arrived: by an application link, from a source, in a country. */
export interface Arrival {
  /** The slug of `?via=SLUG`, checked against `SLUG_PATTERN` (not yet against the links). */
  readonly via?: string | undefined;
  /** A source name (`sources.ts`): `linkedin.com`, `google`, `direct`. */
  readonly source?: string | undefined;
  /** ISO 3166-1 alpha-2, from CloudFront; none locally unless FOOTFALL_DEV_COUNTRY is set. */
  readonly country?: string | undefined;
}

/** A link's first open of a day, as the owner is told of it. */
export interface LinkOpened {
  readonly slug: string;
  readonly note: string | undefined;
  readonly page: string;
  /** ISO time. */
  readonly at: string;
  readonly source: string | undefined;
  readonly country: string | undefined;
}

/** What the redirect needs of the links. */
export interface LinkDirectory {
  /** The page the link opens, or undefined when there is no such link. */
  pageOf(slug: string): Promise<string | undefined>;
  /** Counts one link preview (a chat app or mail scanner fetching `/r/SLUG`). */
  preview(slug: string): Promise<void>;
}

/** A country code as CloudFront sends it, or undefined. */
export function countryOf(value: string | undefined): string | undefined {
  return value !== undefined && /^[A-Z]{2}$/.test(value) ? value : undefined;
}

/** One line (and an e-mail subject) telling the owner of an open. */
export function describeOpen(open: LinkOpened): string {
  const from = [open.source && `from ${open.source}`, open.country && `in ${open.country}`]
    .filter(Boolean)
    .join(' ');
  const note = open.note ? ` (${open.note})` : '';
  return `link ${open.slug}${note} was opened${from ? ` ${from}` : ''}: ${open.page} at ${open.at}`;
}
