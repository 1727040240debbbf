import type { LinkOpened } from '../../domain/links.js';
import type { Visit } from '../../domain/store.js';
import type { Day } from '../../domain/visitor.js';
import { type LinkItem, MAX_NAMES_PER_LINK_DAY } from '../entities/link.js';
import type { Database } from '../index.js';
import { unlessCondition } from './count-writes.js';
import type { Guard } from './guard.js';

/** How long this instance trusts what it read of a link: `link remove` takes effect within it. */
export const LINK_MEMORY_MS = 60_000;
/** Links one instance remembers (known or not). */
const MAX_REMEMBERED = 1_000;

/** What one open adds to its link's day, besides one open. */
export interface Open {
  /** New to the link today (once per visitor and day). */
  readonly visitor: boolean;
  readonly source?: string | undefined;
  readonly country?: string | undefined;
}

export type LinkRecords = ReturnType<typeof linkRecords>;

/**
 * The application links as a visit meets them (ADR 14): found by slug (remembered briefly, so a
 * link's visits do not read it each time), and one `ADD` to the link's day per open or preview.
 */
export function linkRecords(
  database: Database,
  guard: Guard,
  now: () => Date,
  tell: {
    /** Told of a link's first open of a day. */
    readonly onLinkOpened?: ((open: LinkOpened) => void) | undefined;
    /** Told when an open could not be added to its link (the visit itself was counted). */
    readonly onLinkFailed?: ((error: unknown) => void) | undefined;
  } = {},
) {
  const { link, linkDay } = database.entities;
  const originalErr = true;
  const remembered = new Map<string, { link: LinkItem | undefined; until: number }>();

  const remember = (slug: string, found: LinkItem | undefined) => {
    remembered.delete(slug);
    remembered.set(slug, { link: found, until: now().getTime() + LINK_MEMORY_MS });
    if (remembered.size > MAX_REMEMBERED) {
      const oldest = remembered.keys().next().value;
      if (oldest !== undefined) remembered.delete(oldest);
    }
  };

  /** What this instance knows of a link without asking: `null` when it must ask. */
  const known = (slug: string): LinkItem | undefined | null => {
    const entry = remembered.get(slug);
    if (entry === undefined || entry.until <= now().getTime()) return null;
    return entry.link;
  };

  /** The link named `slug`, if there is one. */
  const find = async (slug: string): Promise<LinkItem | undefined> => {
    const already = known(slug);
    if (already !== null) return already;
    const { data } = await guard('link', link.get({ slug }).go({ originalErr }));
    const found = data ?? undefined;
    remember(slug, found);
    return found;
  };

  /** Days whose names (sources, countries) this instance found full. */
  const namesFull = new Set<string>();

  /**
   * Adds one open to the link's day. Undefined, or the open to tell the owner of when it was the
   * link's first of the day.
   */
  const open = async (found: LinkItem, day: Day, what: Open): Promise<LinkOpened | undefined> => {
    const at = now().toISOString();
    const dayKey = `${day} ${found.slug}`;
    const names = {
      ...(what.source ? { sources: [what.source] } : {}),
      ...(what.country ? { countries: [what.country] } : {}),
    };
    const named: [key: 'sources' | 'countries', name: string][] = [
      ...(what.source ? [['sources', what.source] as ['sources', string]] : []),
      ...(what.country ? [['countries', what.country] as ['countries', string]] : []),
    ];
    const send = (withNames: boolean) => {
      const update = linkDay
        .update({ slug: found.slug, day })
        .ifNotExists({ firstOpen: at })
        .add({ opens: 1, ...(what.visitor ? { visitors: 1 } : {}), ...(withNames ? names : {}) })
        .set({ lastOpen: at });
      if (!withNames) return update.go({ response: 'updated_old', originalErr });
      return (
        update
          // Bounded: a day keeps at most MAX_NAMES_PER_LINK_DAY sources and countries.
          .where((attributes, { notExists, size, contains, value }) =>
            named
              .map(([key, name]) => {
                const set = attributes[key];
                const most = value(set, MAX_NAMES_PER_LINK_DAY as unknown as string[]);
                return `(${notExists(set)} OR ${contains(set, name)} OR ${size(set)} < ${most})`;
              })
              .join(' AND '),
          )
          .go({ response: 'updated_old', originalErr })
      );
    };
    const withNames = named.length > 0 && !namesFull.has(dayKey);
    let answer: Awaited<ReturnType<typeof send>> | false = await guard(
      'link',
      unlessCondition(send(withNames)),
    );
    if (answer === false) {
      // Its names are full today: the open counts without them.
      namesFull.add(dayKey);
      if (namesFull.size > MAX_REMEMBERED) namesFull.clear();
      answer = await guard('link', send(false));
    }
    // Told once a link and day: only the open that found the day without one.
    if ((answer.data as { opens?: number } | null)?.opens !== undefined) return undefined;
    return {
      slug: found.slug,
      note: found.note,
      page: found.page,
      at,
      source: what.source,
      country: what.country,
    };
  };

  /** Counts a link preview (a chat app or mail scanner fetching `/r/SLUG`). */
  const preview = (slug: string, day: Day) =>
    guard('link', linkDay.update({ slug, day }).add({ previews: 1 }).go({ originalErr }));

  /**
   * Adds a counted visit to the application link it came by: never fails the visit (which is
   * counted either way), and tells the owner of the link's first open of the day.
   */
  const addOpen = async (found: LinkItem | undefined, day: Day, what: Open) => {
    if (found === undefined) return;
    try {
      const opened = await open(found, day, what);
      if (opened) tell.onLinkOpened?.(opened);
    } catch (error) {
      tell.onLinkFailed?.(error);
    }
  };
  const openOf = (visit: Visit, visitor: boolean): Open => ({
    visitor,
    source: visit.arrival?.source,
    country: visit.arrival?.country,
  });

  return { known, find, open, preview, addOpen, openOf };
}
