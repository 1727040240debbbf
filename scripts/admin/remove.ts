import type { Counts } from '../../service/src/domain/store.js';
import { countsOf, type PageCounts, recordAdjustment, siteOfPage } from './counts.js';
import type { AdminDatabase } from './database.js';
import { AdminError, isConditionFailed } from './errors.js';

// The AWS error as thrown, not wrapped in an ElectroError: messages stay short.
const originalErr = true;

/** What `remove` takes away from one page. */
export interface PageContents {
  readonly page: string;
  /** Its all-time counts; undefined when it has no counter. */
  readonly counter: Counts | undefined;
  /** Its days (`YYYY-MM-DD`), oldest first. */
  readonly days: readonly string[];
}

/** A page's counter and days, read strongly consistent: one GetItem and one Query. */
export async function readPage(database: AdminDatabase, page: string): Promise<PageContents> {
  const { counter, daily } = database.entities;
  const [found, days] = await Promise.all([
    counter.get({ page }).go({ consistent: true, originalErr }),
    // One partition, one item a day: a page counted for years is a few pages of results.
    daily.query.byPage({ page }).go({ pages: 'all', consistent: true, originalErr }),
  ]);
  return {
    page,
    counter: found.data ? countsOf(found.data) : undefined,
    days: days.data.map((item) => item.day),
  };
}

export interface RemoveOptions {
  readonly note: string;
  readonly who: string;
  readonly now?: () => Date;
}

export interface Removed {
  /** Whether the page had a counter (a rerun after a partial remove finds only days). */
  readonly counter: boolean;
  /** The counts the counter held when it was deleted (zeros if it had none). */
  readonly from: Counts;
  /** Day items deleted. */
  readonly days: number;
}

/** Day items deleted at once. */
const CONCURRENCY = 16;

/**
 * `remove`: deletes a page's counter, lowers its site's page count (which the per-site page
 * limit reads) by the one page, records the adjustment, then deletes the page's days. The
 * counter's delete returns what it held at that instant, so the audit trail has the exact
 * counts even if a visit landed after the read. The site's count is lowered only by the run
 * whose delete found the counter, so two runs at once lower it once; never below 0. The site's
 * own days keep the page's visits (they were visits to the site; `set '*' --date` corrects one).
 */
export async function removePage(
  database: AdminDatabase,
  contents: PageContents,
  options: RemoveOptions,
): Promise<Removed> {
  const { counter, daily, site } = database.entities;
  const { page } = contents;
  const siteKey = siteOfPage(page);
  // Deleted whatever the read said: a visit may have created it since.
  const { data: old } = await counter.delete({ page }).go({ response: 'all_old', originalErr });
  // No old item: none was there, or a retried delete whose first answer was lost; then the
  // counts read are the best account of what went.
  const from = countsOf(old ?? contents.counter);
  const hadCounter = Boolean(old) || contents.counter !== undefined;

  let siteProblem: string | undefined;
  if (old) {
    try {
      await site
        .update({ site: siteKey })
        .subtract({ pages: 1 })
        .where(({ pages }, { gt }) => gt(pages, 0))
        .go({ response: 'none', originalErr });
    } catch (error) {
      // Already 0, or no record (the page was created before sites counted their pages).
      if (!isConditionFailed(error)) siteProblem = (error as Error).message;
    }
  }

  const removed = hadCounter
    ? `${page}'s counter was deleted (views ${from.views}, visitors ${from.visitors}, bots ${from.bots})`
    : `${page} had no counter`;
  await recordAdjustment(database, {
    page,
    action: 'remove',
    who: options.who,
    note: options.note,
    from,
    to: { views: 0, visitors: 0 },
    at: (options.now ?? (() => new Date()))(),
  }).catch((error: unknown) => {
    throw new AdminError(
      `${removed} but the adjustment could not be recorded (${(error as Error).message}); its ${contents.days.length} days are still there: run remove again to delete them`,
    );
  });

  let deleted = 0;
  let next = 0;
  const worker = async () => {
    while (next < contents.days.length) {
      const day = contents.days[next++] as string;
      await daily.delete({ page, day }).go({ response: 'none', originalErr });
      deleted++;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, contents.days.length) }, worker));
  } catch (error) {
    throw new AdminError(
      `${removed}, but only ${deleted} of its ${contents.days.length} days were deleted (${(error as Error).message}): run remove again to delete the rest`,
    );
  }
  if (siteProblem !== undefined) {
    throw new AdminError(
      `${page} was removed, but its site's page count (${siteKey}) could not be lowered (${siteProblem}): the site's page limit counts one page more than the site holds`,
    );
  }
  return { counter: hadCounter, from, days: deleted };
}

/** Pages `remove --prefix` takes on in one run. */
export const MAX_PAGES_REMOVED = 1_000;

/**
 * The pages of one site whose keys start with `prefix` (`/junk/`, `https://blog.example/tmp/`),
 * from the by-site index, at most `max`: `more` says whether there were others.
 */
export async function pagesUnder(
  database: AdminDatabase,
  prefix: string,
  max = MAX_PAGES_REMOVED,
): Promise<{ pages: PageCounts[]; more: boolean }> {
  const found: PageCounts[] = [];
  let cursor: string | null = null;
  do {
    const result: {
      data: { page: string; views?: number; visitors?: number; bots?: number }[];
      cursor: string | null;
    } = await database.entities.counter.query
      .bySite({ site: siteOfPage(prefix) })
      .begins({ page: prefix })
      .go({ limit: max + 1 - found.length, cursor, originalErr });
    for (const item of result.data) found.push({ page: item.page, ...countsOf(item) });
    cursor = result.cursor;
  } while (cursor !== null && found.length <= max);
  return { pages: found.slice(0, max), more: found.length > max };
}
