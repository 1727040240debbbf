import { countingLimits, defaultViewsPerNetwork } from '../../domain/counting-limits.js';
import type { LinkOpened } from '../../domain/links.js';
import type {
  Counted,
  CounterStore,
  Counts,
  LimitName,
  Visit,
  Visitor,
} from '../../domain/store.js';
import { type Day, dayOf, keyedId, networkOf } from '../../domain/visitor.js';
import type { CounterItem } from '../entities/counter.js';
import type { LinkItem } from '../entities/link.js';
import type { Database, VisitsDatabase } from '../index.js';
import { dynamodbLimits } from '../limits.js';
import { breakdownFrom, breakdownOf } from './breakdown.js';
import type { Increments } from './coalesce.js';
import { countsOf, countWrites, NONE, unlessCondition } from './count-writes.js';
import { DayMemory, MEMORY } from './day-memory.js';
import { deadlineGuard } from './guard.js';
import { linkRecords } from './links.js';
import { Salts } from './salts.js';
import {
  type CountingLimits,
  type ViewLimit,
  type ViewQuota,
  visitRecords,
} from './visit-records.js';

export interface CounterStoreOptions {
  /** Hard limit for one operation, retries included. @default dynamodbLimits.operationDeadlineMs */
  readonly deadlineMs?: number;
  readonly limits?: Partial<CountingLimits>;
  /** The time. @default the system clock */
  readonly now?: () => Date;
  /**
   * Page keys a bot's POST may create: the smoke counter the deploy checks count on. A fixed
   * list, so bots still create nothing a client can choose.
   */
  readonly botPages?: readonly string[];
  /** Told of an application link's first open of a day (at most once per link and day). */
  readonly onLinkOpened?: (open: LinkOpened) => void;
  /** Told when an open could not be added to its link (the visit itself was counted). */
  readonly onLinkFailed?: (error: unknown) => void;
  /** Told when this instance first finds a visit over a limit (once per limit, key and day). */
  readonly onLimited?: (limit: LimitName) => void;
}

/** Characters of a page's token in a visitor's record (48 bits of a keyed hash). */
const PAGE_TOKEN_LENGTH = 8;

/** Production's limits (`counting-limits.ts`), for a store given none. */
const defaultLimits: CountingLimits = {
  viewsPerAddressPerDay: countingLimits.viewsPerAddressPerDay.default,
  viewsPerNetworkPerDay: defaultViewsPerNetwork(countingLimits.viewsPerAddressPerDay.default),
  newPagesPerAddressPerDay: countingLimits.newPagesPerAddressPerDay.default,
  maxPagesPerSite: countingLimits.maxPagesPerSite.default,
};

type Person = Extract<Visitor, { kind: 'person' }>;

/**
 * The CounterStore on footfall's entities (ADR 12). A person's visit writes one record of the
 * visitor's day (new to the site? to the page?) and, with limits on, one of the address's views
 * of the page; then the page's counter, the page's day and the site's day, all atomic `ADD`s.
 * A visitor this instance already counted on the page today skips the first and sends the rest
 * at once: one round trip. Bots add to pages that exist and create nothing.
 */
export function createCounterStore(
  database: Database,
  visits: VisitsDatabase,
  options: CounterStoreOptions = {},
): CounterStore {
  const { counter, daily } = database.entities;
  const deadlineMs = options.deadlineMs ?? dynamodbLimits.operationDeadlineMs;
  const limits = { ...defaultLimits, ...options.limits };
  const now = options.now ?? (() => new Date());
  const botPages = new Set(options.botPages ?? []);
  // The AWS error as thrown, not wrapped in an ElectroError (which ElectroDB otherwise builds,
  // stack trace and all, on every call): it becomes our error's `cause`.
  const originalErr = true;
  const guard = deadlineGuard(deadlineMs);
  const { addToPage, addToDay } = countWrites(database);
  const records = visitRecords(database, visits, limits, guard);
  const links = linkRecords(database, guard, now, options);
  const { addOpen, openOf } = links;

  const salts = new Salts(visits, guard);
  const seen = new DayMemory(MEMORY.visitors);
  const existing = new DayMemory(MEMORY.pages);
  const reported = new DayMemory(MEMORY.limited);
  /** One visitor's first POST to a page while it is under way, for their others to wait on. */
  const firstVisits = new Map<string, Promise<unknown>>();

  /** A visit refused by `limit`: said once per instance, limit and key a day. */
  const refuse = (day: Day, limit: LimitName, key: string) => {
    records.markFull(day, limit, key);
    if (reported.has(day, `${limit} ${key}`)) return;
    reported.add(day, `${limit} ${key}`);
    options.onLimited?.(limit);
  };

  const read = async (page: string): Promise<Counts | undefined> => {
    const { data } = await guard(
      'read',
      // Strongly consistent, so a read after an increment sees it (one read unit, not half).
      counter.get({ page }).go({ consistent: true, originalErr }),
    );
    return data ? countsOf(data) : undefined;
  };

  // --- the visits -------------------------------------------------------------------------------

  const countBot = async (visit: Visit, day: Day): Promise<Counts & { counted: Counted }> => {
    const bot = { bots: 1 };
    // The site's day always takes it (one item a site a day, whoever sends what); a page, and a
    // page's day, only if a person made them: a bot creates nothing a client can choose.
    const created = botPages.has(visit.page);
    const onPage = () =>
      created ? addToPage(visit, bot, 'any') : unlessCondition(addToPage(visit, bot, 'existing'));
    const onDays = () =>
      Promise.all([
        created
          ? addToDay(visit.page, day, bot, 'any')
          : unlessCondition(addToDay(visit.page, day, bot, 'existing')),
        addToDay(visit.site, day, bot, 'any'),
      ]);
    let counts: Counts | false;
    if (created || existing.has(day, visit.page)) {
      [counts] = await guard('increment', Promise.all([onPage(), onDays()]));
    } else {
      // Not known here to exist: the page and the site's day first, the page's day only if the
      // page turns out to exist; a bot's junk page costs one conditional write.
      [counts] = await guard(
        'increment',
        Promise.all([onPage(), addToDay(visit.site, day, bot, 'any')]),
      );
      if (counts !== false) {
        await guard('increment', unlessCondition(addToDay(visit.page, day, bot, 'existing')));
      }
    }
    if (counts === false) {
      existing.delete(visit.page);
      return { ...NONE, counted: 'bot' };
    }
    existing.add(day, visit.page);
    return { ...counts, counted: 'bot' };
  };

  /** A visitor this instance counted on this page today: everything in one round trip. */
  const countReturning = async (
    visit: Visit,
    day: Day,
    view: ViewQuota | undefined,
    visitorKey: string,
    link: LinkItem | undefined,
  ): Promise<Counts & { counted: Counted }> => {
    const once = { views: 1 };
    const add = () =>
      guard(
        'increment',
        Promise.all([
          unlessCondition(addToPage(visit, once, 'existing')),
          unlessCondition(addToDay(visit.page, day, once, 'existing')),
          addToDay(visit.site, day, { ...once, ...breakdownOf(visit.arrival, false) }, 'any'),
        ]),
      );
    let over: ViewLimit | undefined;
    let counts: Counts | false;
    if (!view || records.roomFor(day, view)) {
      [over, [counts]] = await Promise.all([
        view ? records.chargeView(view, day, true) : undefined,
        add(),
        addOpen(link, day, openOf(visit, false)),
      ]);
      // Over a limit after all (another instance used the room): this view was counted before
      // that was known, the bound ADR 12 states; this instance refuses the next ones.
      if (over && view) refuse(day, over, records.quotaKeys(view)[over]);
    } else {
      over = await records.chargeView(view, day);
      if (over) {
        refuse(day, over, records.quotaKeys(view)[over]);
        return { ...((await read(visit.page)) ?? NONE), counted: 'limited' };
      }
      [[counts]] = await Promise.all([add(), addOpen(link, day, openOf(visit, false))]);
    }
    if (counts === false) {
      // The page was removed meanwhile (npm run admin): counted on the site's day only.
      existing.delete(visit.page);
      seen.delete(visitorKey);
      return { ...NONE, counted: 'view' };
    }
    return { ...counts, counted: 'view' };
  };

  /**
   * Makes a page's counter: reserved first against the address's and the site's page limits,
   * then created with this visit's counts (and its days', unless already added). Undefined when a
   * limit refused it.
   */
  const makePage = async (
    visit: Visit,
    person: Person,
    day: Day,
    salt: Buffer,
    onPage: Increments,
    onDays: () => Promise<unknown>[],
  ): Promise<Counts | undefined> => {
    const creator = records.creatorOf(salt, person.address);
    const refused = records.isFull(day, 'new-pages-per-address', creator)
      ? 'new-pages-per-address'
      : records.isFull(day, 'pages-per-site', visit.site)
        ? 'pages-per-site'
        : await records.reservePage(creator, visit, day);
    if (refused) {
      refuse(day, refused, refused === 'pages-per-site' ? visit.site : creator);
      return undefined;
    }
    const [created] = await guard(
      'increment',
      Promise.all([unlessCondition(addToPage(visit, onPage, 'new')), ...onDays()]),
    );
    if (created !== false) return created;
    // Another visit made it meanwhile: this one's reservation goes back.
    await Promise.allSettled([
      limits.newPagesPerAddressPerDay > 0 ? records.releaseCreator(creator) : undefined,
      records.releaseSitePage(visit.site),
    ]);
    return guard('increment', addToPage(visit, onPage, 'any'));
  };

  /** A visitor this instance does not know on this page: who are they, then the counts. */
  const countUnknown = async (
    visit: Visit,
    person: Person,
    day: Day,
    salt: Buffer,
    ids: { visitor: string; token: string; key: string; link?: { slug: string; token: string } },
    view: ViewQuota | undefined,
  ): Promise<Counts & { counted: Counted }> => {
    const pageKnown = existing.has(day, visit.page);
    const [marked, over, found, link] = await Promise.all([
      records.markVisitor(ids.visitor, ids.token, day, ids.link?.token),
      view ? records.chargeView(view, day) : undefined,
      pageKnown ? undefined : read(visit.page),
      ids.link ? links.find(ids.link.slug) : undefined,
    ]);
    if (over && view) {
      refuse(day, over, records.quotaKeys(view)[over]);
      return { ...(found ?? (await read(visit.page)) ?? NONE), counted: 'limited' };
    }

    const onPage = { views: 1, visitors: marked.newToPage ? 1 : 0 };
    const onSite = { views: 1, visitors: marked.newToSite ? 1 : 0 };
    const onDays = () => [
      addToDay(visit.page, day, onPage, 'any'),
      addToDay(
        visit.site,
        day,
        { ...onSite, ...breakdownOf(visit.arrival, marked.newToSite) },
        'any',
      ),
    ];
    const open = openOf(visit, marked.newToLink);
    let counts: Counts | false;
    if (found) {
      // The page exists: the visit is counted, and its link's open goes alongside.
      [[counts]] = await Promise.all([
        guard('increment', Promise.all([addToPage(visit, onPage, 'any'), ...onDays()])),
        addOpen(link, day, open),
      ]);
    } else if (pageKnown) {
      // Known here from earlier today; it may have been removed since (npm run admin -- remove).
      [counts] = await guard(
        'increment',
        Promise.all([unlessCondition(addToPage(visit, onPage, 'existing')), ...onDays()]),
      );
      if (counts === false) existing.delete(visit.page);
    } else {
      counts = false;
    }
    if (counts === false) {
      // A new page, or one made anew: reserved against the address's and the site's limits.
      const made = await makePage(visit, person, day, salt, onPage, pageKnown ? () => [] : onDays);
      if (made === undefined) return { ...NONE, counted: 'limited' };
      counts = made;
    }
    if (!found) await addOpen(link, day, open);
    if (ids.link && link) seen.add(day, `${ids.visitor} ${ids.link.token}`);
    existing.add(day, visit.page);
    seen.add(day, ids.key);
    return { ...counts, counted: marked.newToPage ? 'visitor' : 'view' };
  };

  const countPerson = async (
    visit: Visit,
    person: Person,
    day: Day,
  ): Promise<Counts & { counted: Counted }> => {
    const salt = await salts.get(day);
    const address = networkOf(person.address);
    // Keyed hashes under the day's salt; the address and User-Agent go no further.
    const visitor = keyedId(salt, 'visitor', address, person.userAgent, visit.site);
    const token = keyedId(salt, 'page', visit.page).slice(0, PAGE_TOKEN_LENGTH);
    const key = `${visitor} ${token}`;
    const via = visit.arrival?.via;
    const link = via
      ? { slug: via, token: keyedId(salt, 'link', via).slice(0, PAGE_TOKEN_LENGTH) }
      : undefined;
    const view = records.viewQuotaOf(salt, person.address, visit.page);
    const over = view && records.knownOver(day, view);
    if (view && over) {
      refuse(day, over, records.quotaKeys(view)[over]);
      return { ...((await read(visit.page)) ?? NONE), counted: 'limited' };
    }

    // One visitor's concurrent POSTs to one page: the first finds out who they are, the others
    // wait for it and are then returning visitors.
    const first = firstVisits.get(key);
    if (first) await first.catch(() => {});
    // By a link: one round trip only if this instance knows the link, and the visitor on it.
    const knownLink = link ? links.known(link.slug) : undefined;
    const linkReady =
      !link ||
      knownLink === undefined ||
      (knownLink !== null && seen.has(day, `${visitor} ${link.token}`));
    if (seen.has(day, key) && existing.has(day, visit.page) && linkReady) {
      return countReturning(visit, day, view, key, knownLink ?? undefined);
    }
    const counting = countUnknown(visit, person, day, salt, { visitor, token, key, link }, view);
    firstVisits.set(key, counting);
    try {
      return await counting;
    } finally {
      if (firstVisits.get(key) === counting) firstVisits.delete(key);
    }
  };

  return {
    counts: async (page) => (await read(page)) ?? NONE,

    pages: async (site, max) => {
      const found: (Counts & { page: string })[] = [];
      let cursor: string | null = null;
      // One more than asked for, to tell "exactly max" from "more than max".
      do {
        const result: { data: CounterItem[]; cursor: string | null } = await guard(
          'pages',
          counter.query.bySite({ site }).go({ limit: max + 1 - found.length, cursor, originalErr }),
        );
        for (const item of result.data) found.push({ ...countsOf(item), page: item.page });
        cursor = result.cursor;
      } while (cursor !== null && found.length <= max);
      return { pages: found.slice(0, max), read: found.length };
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
      return data.map((item) => ({
        date: item.day,
        ...countsOf(item),
        ...(item.sv ? { sources: breakdownFrom(item.sv, item.su) } : {}),
        ...(item.cv ? { countries: breakdownFrom(item.cv, item.cu) } : {}),
      }));
    },

    record: async (visit) => {
      const day = dayOf(now());
      const { visitor } = visit;
      if (visitor.kind === 'excluded') {
        return { ...((await read(visit.page)) ?? NONE), counted: 'excluded' };
      }
      if (visitor.kind === 'bot') return countBot(visit, day);
      return countPerson(visit, visitor, day);
    },

    links: {
      pageOf: async (slug) => (await links.find(slug))?.page,
      preview: async (slug) => {
        await links.preview(slug, dayOf(now()));
      },
    },

    prepare: () => salts.prepare(dayOf(now())),
  };
}
