import { randomBytes } from 'node:crypto';
import {
  type Counted,
  type CounterStore,
  type Counts,
  StorageUnavailableError,
  type Visit,
} from '../store.js';
import { type Day, dayOf, expiresAt, keyedId, networkOf } from '../visitor.js';
import type { Database } from './index.js';
import { dynamodbLimits } from './limits.js';

export interface CounterStoreOptions {
  /** Hard limit for one operation, retries included. @default dynamodbLimits.operationDeadlineMs */
  readonly deadlineMs?: number;
  /** Views one address may add to one page in a UTC day; 0: no limit. @default 20 */
  readonly viewsPerAddressPerDay?: number;
  /** The time. @default the system clock */
  readonly now?: () => Date;
}

/** Bytes of randomness in a day's salt. */
const SALT_BYTES = 32;
/** Addresses remembered as over the limit, per day, so a loop stops costing writes. */
const LIMITED_MEMORY = 10_000;

const countsOf = (item: Partial<Counts> | null | undefined): Counts => ({
  views: item?.views ?? 0,
  visitors: item?.visitors ?? 0,
  bots: item?.bots ?? 0,
});

/**
 * The CounterStore on footfall's entities. A person's POST is at most four `UpdateItem`s in two
 * round trips: their address's mark for the day (new to the site? new to the page? over the
 * limit?), then the page's counter, the page's day and the site's day, all atomic `ADD`s.
 */
export function createCounterStore(
  database: Database,
  options: CounterStoreOptions = {},
): CounterStore {
  const { counter, daily, salt, mark } = database.entities;
  const deadlineMs = options.deadlineMs ?? dynamodbLimits.operationDeadlineMs;
  const limit = options.viewsPerAddressPerDay ?? 20;
  const now = options.now ?? (() => new Date());
  // The AWS error as thrown, not wrapped in an ElectroError (which ElectroDB otherwise builds,
  // stack trace and all, on every call): it becomes our error's `cause`.
  const originalErr = true;

  /**
   * Bounds one operation, retries included, with a plain timer: passing an abortSignal to the
   * SDK would switch off its middleware cache. A call that loses the race runs out on the SDK's
   * own limits in the background; for a write, that is the ambiguous case of ADR 5.
   */
  const guard = async <T>(operation: string, call: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
    });
    try {
      return await Promise.race([call, deadline]);
    } catch (error) {
      call.catch(() => {}); // the abandoned call may still fail later; nobody is waiting for it
      throw new StorageUnavailableError(`counter ${operation} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };

  // The day's salt: created once, race-free (the first write wins and every writer reads the
  // winner back), then kept in memory. Only today's and yesterday's are kept.
  const salts = new Map<Day, Promise<Buffer>>();
  const saltFor = (day: Day): Promise<Buffer> => {
    let known = salts.get(day);
    if (!known) {
      known = guard(
        'salt',
        salt
          .upsert({ day })
          .ifNotExists({
            value: randomBytes(SALT_BYTES).toString('base64'),
            expiresAt: expiresAt(day),
          })
          .go({ response: 'all_new', originalErr }),
      ).then(({ data }) => {
        if (!data.value) throw new StorageUnavailableError(`the salt of ${day} came back empty`);
        return Buffer.from(data.value, 'base64');
      });
      known.catch(() => salts.delete(day)); // a failed fetch is tried again by the next request
      salts.set(day, known);
      for (const old of salts.keys()) if (old < day && salts.size > 2) salts.delete(old);
    }
    return known;
  };

  let limitedDay: Day | undefined;
  const limited = new Set<string>();
  const rememberLimited = (day: Day, key: string) => {
    if (limitedDay !== day) {
      limited.clear();
      limitedDay = day;
    }
    if (limited.size < LIMITED_MEMORY) limited.add(key);
  };

  const read = async (page: string): Promise<Counts> => {
    const { data } = await guard(
      'read',
      // Strongly consistent, so a read after an increment sees it (one read unit, not half).
      counter.get({ page }).go({ consistent: true, originalErr }),
    );
    return countsOf(data);
  };

  /** The three counters of a visit, in parallel; answers with the page's counts. */
  const add = async (
    visit: Visit,
    day: Day,
    page: Partial<Counts>,
    site: Partial<Counts>,
  ): Promise<Counts> => {
    // A POST is counted at most once: the client retries an UpdateItem only after failures
    // that prove it was not applied (client.ts, ADR 5).
    const [total] = await guard(
      'increment',
      Promise.all([
        counter
          .upsert({ page: visit.page, site: visit.site })
          .add(page)
          .go({ response: 'all_new', originalErr }),
        daily.upsert({ page: visit.page, day }).add(page).go({ response: 'none', originalErr }),
        daily.upsert({ page: visit.site, day }).add(site).go({ response: 'none', originalErr }),
      ]),
    );
    return countsOf(total.data);
  };

  return {
    counts: (page) => read(page),

    pages: async (site) => {
      const { data } = await guard(
        'pages',
        counter.query.bySite({ site }).go({ pages: 'all', originalErr }),
      );
      return data.map((item) => ({ page: item.page, ...countsOf(item) }));
    },

    history: async (page, from, to) => {
      const { data } = await guard(
        'history',
        // One Query: a year of days is ~50 KB, well under a page of results.
        daily.query
          .byPage({ page })
          .between({ day: from }, { day: to })
          .go({ pages: 'all', consistent: true, originalErr }),
      );
      return data.map((item) => ({ date: item.day, ...countsOf(item) }));
    },

    record: async (visit) => {
      const day = dayOf(now());
      const { visitor } = visit;
      if (visitor.kind === 'excluded') return { ...(await read(visit.page)), counted: 'excluded' };
      if (visitor.kind === 'bot') {
        const counts = await add(visit, day, { bots: 1 }, { bots: 1 });
        return { ...counts, counted: 'bot' };
      }

      const key = await saltFor(day);
      const network = networkOf(visitor.address);
      // Keyed hashes under the day's salt; the address and User-Agent go no further.
      const id = keyedId(key, 'address', network);
      const siteVisitor = keyedId(key, 'visitor', network, visitor.userAgent, visit.site);
      const pageVisitor = keyedId(key, 'visitor', network, visitor.userAgent, visit.page);
      const pageToken = keyedId(key, 'page', visit.page).slice(0, 11);
      if (limited.has(`${id} ${pageToken}`) && limitedDay === day) {
        return { ...(await read(visit.page)), counted: 'limited' };
      }

      let update = mark
        .update({ id })
        .add({ visitors: [siteVisitor], pageVisitors: [pageVisitor] })
        .set({ expiresAt: expiresAt(day) });
      if (limit > 0) update = update.append({ pageViews: [pageToken] });
      const { data: before } = await guard(
        'mark',
        update.go({ response: 'updated_old', originalErr }),
      );
      const earlier = before?.pageViews?.filter((token) => token === pageToken).length ?? 0;
      if (limit > 0 && earlier >= limit) {
        rememberLimited(day, `${id} ${pageToken}`);
        return { ...(await read(visit.page)), counted: 'limited' };
      }
      const newToPage = !before?.pageVisitors?.includes(pageVisitor);
      const newToSite = !before?.visitors?.includes(siteVisitor);
      const counts = await add(
        visit,
        day,
        { views: 1, visitors: newToPage ? 1 : 0 },
        { views: 1, visitors: newToSite ? 1 : 0 },
      );
      const counted: Counted = newToPage ? 'visitor' : 'view';
      return { ...counts, counted };
    },
  };
}
