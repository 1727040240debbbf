import type { Arrival, LinkDirectory } from './links.js';

/** A page's counts, as the API answers them. */
export interface Counts {
  readonly views: number;
  readonly visitors: number;
  readonly bots: number;
}

/** What a POST did: a new visitor today, a returning one, a bot, or nothing (and why). */
export type Counted = 'visitor' | 'view' | 'bot' | 'excluded' | 'limited';

/** Who sent a POST, as far as counting is concerned. Nothing of it is stored as it is. */
export type Visitor =
  | { readonly kind: 'person'; readonly address: string; readonly userAgent: string }
  | { readonly kind: 'bot' }
  | { readonly kind: 'excluded' };

export interface Visit {
  /** The counted page, scoped to its site (`scope.ts`). */
  readonly page: string;
  /** The key of the site's own counts (`scope.ts`). */
  readonly site: string;
  readonly visitor: Visitor;
  /** How a person's visit arrived (application link, source, country); ignored for others. */
  readonly arrival?: Arrival;
}

/** Views and visitors by name: a source (`linkedin.com`, `direct`) or a country (`DE`). */
export type Breakdown = Readonly<
  Record<string, { readonly views: number; readonly visitors: number }>
>;

/** One UTC day's counts. */
export interface DayCounts extends Counts {
  /** `YYYY-MM-DD` */
  readonly date: string;
  /** A site's day only: its views and visitors by source, and by country (ADR 14). */
  readonly sources?: Breakdown;
  readonly countries?: Breakdown;
}

/** What the API needs from storage; the app depends on this, never on DynamoDB itself. */
export interface CounterStore {
  /** The page's counts; all 0 for a page never counted. Writes nothing. */
  counts(page: string): Promise<Counts>;
  /**
   * The pages counted on a site (by its totals key), with their counts, in any order: at most
   * `max` of them, from at most `max + 1` index entries read. `read` is how many were read, so
   * `read > max` says there are more.
   */
  pages(
    site: string,
    max: number,
  ): Promise<{ pages: (Counts & { readonly page: string })[]; read: number }>;
  /**
   * The days from `from` to `to` (inclusive, `YYYY-MM-DD`) on which `page` (or a site's
   * totals key) was counted, oldest first, in one query. Days without traffic are absent.
   */
  history(page: string, from: string, to: string): Promise<DayCounts[]>;
  /** Counts one visit atomically and returns the page's counts after it. */
  record(visit: Visit): Promise<Counts & { readonly counted: Counted }>;
  /** The application links, as the redirect (`/r/SLUG`) meets them. */
  readonly links: LinkDirectory;
  /**
   * Fetches ahead what the first visit would otherwise wait for (the day's salt). Never rejects:
   * whatever failed is fetched again by the visit that needs it.
   */
  prepare(): Promise<void>;
}

/** The limits a visit can be refused by (`"counted":"limited"`), as logs and metrics name them. */
export type LimitName =
  | 'views-per-address'
  | 'views-per-network'
  | 'new-pages-per-address'
  | 'pages-per-site';

/**
 * Storage could not answer (refused, timed out, throttled past retries, missing table).
 * The AWS error is kept as `cause` for the logs and never shown to a client.
 */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
}
