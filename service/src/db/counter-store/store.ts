import {
  type Counted,
  type CounterStore,
  type Counts,
  type LimitName,
  StorageUnavailableError,
  type Visit,
  type Visitor,
} from '../../domain/store.js';
import {
  type Day,
  dayOf,
  expiresAt,
  keyedId,
  network48Of,
  networkOf,
} from '../../domain/visitor.js';
import type { CounterItem } from '../entities/counter.js';
import { QUOTA_SLOTS, type QuotaSlot } from '../entities/quota.js';
import type { Database, VisitsDatabase } from '../index.js';
import { dynamodbLimits } from '../limits.js';
import { Coalescer, type Increments } from './coalesce.js';
import { DayMemory } from './day-memory.js';
import { Salts } from './salts.js';

/** The limits a store holds visits to (`config.ts` documents and defaults them). */
export interface CountingLimits {
  /** Views one address adds to one page a UTC day; 0: no limit. */
  readonly viewsPerAddressPerDay: number;
  /** Views one IPv6 /48 adds to one page a UTC day; 0: no limit. */
  readonly viewsPerNetworkPerDay: number;
  /** Page counters one address creates a UTC day; 0: no limit. */
  readonly newPagesPerAddressPerDay: number;
  /** Page counters one site holds. */
  readonly maxPagesPerSite: number;
}

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
  /** Told when this instance first finds a visit over a limit (once per limit, key and day). */
  readonly onLimited?: (limit: LimitName) => void;
}

/** Pages one visitor's record holds for a day; past them, its visits count as views only. */
export const MAX_PAGES_PER_VISITOR = 64;
/** Characters of a page's token in a visitor's record (48 bits of a keyed hash). */
const PAGE_TOKEN_LENGTH = 8;
/** What one instance remembers about today: visitors on pages, pages that exist, limited keys. */
const MEMORY = { visitors: 50_000, pages: 10_000, limited: 10_000 } as const;

const defaultLimits: CountingLimits = {
  viewsPerAddressPerDay: 20,
  viewsPerNetworkPerDay: 200,
  newPagesPerAddressPerDay: 50,
  maxPagesPerSite: 10_000,
};

const countsOf = (item: Partial<Counts> | null | undefined): Counts => ({
  views: item?.views ?? 0,
  visitors: item?.visitors ?? 0,
  bots: item?.bots ?? 0,
});
const NONE: Counts = { views: 0, visitors: 0, bots: 0 };

const conditionFailed = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** A write whose condition failed answers `false` instead of failing. */
const unlessCondition = <T>(write: Promise<T>): Promise<T | false> =>
  write.catch((error: unknown) => {
    if (conditionFailed(error)) return false;
    throw error;
  });

type Person = Extract<Visitor, { kind: 'person' }>;
type ViewLimit = Extract<LimitName, 'views-per-address' | 'views-per-network'>;

/** What a visit is charged against the per-address and per-network view limits. */
interface ViewQuota {
  /** The quota item: the address's (or, for IPv6 with a network limit, its /48's) on the page. */
  readonly id: string;
  /** For a /48: the slot this /64 counts in. */
  readonly slot?: QuotaSlot;
}

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
  const { counter, daily, site: siteRecord } = database.entities;
  const { visitor: visitorRecord, quota } = visits.entities;
  const deadlineMs = options.deadlineMs ?? dynamodbLimits.operationDeadlineMs;
  const limits = { ...defaultLimits, ...options.limits };
  const now = options.now ?? (() => new Date());
  const botPages = new Set(options.botPages ?? []);
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
      if (error instanceof StorageUnavailableError) throw error;
      throw new StorageUnavailableError(`counter ${operation} failed`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };

  const salts = new Salts(visits, guard);
  const seen = new DayMemory(MEMORY.visitors);
  const existing = new DayMemory(MEMORY.pages);
  /** Quotas this instance knows are used up today, by `${limit} ${key}`. */
  const full = new DayMemory(MEMORY.limited);
  /** The views each quota held after this instance last charged it, and its charges under way. */
  const quotaViews = new DayMemory(MEMORY.limited);
  const charging = new Map<string, number>();
  const reported = new DayMemory(MEMORY.limited);
  /** One visitor's first POST to a page while it is under way, for their others to wait on. */
  const firstVisits = new Map<string, Promise<unknown>>();

  const isFull = (day: Day, limit: LimitName, key: string) => full.has(day, `${limit} ${key}`);
  const markFull = (day: Day, limit: LimitName, key: string) => full.add(day, `${limit} ${key}`);
  /** A visit refused by `limit`: said once per instance, limit and key a day. */
  const refuse = (day: Day, limit: LimitName, key: string) => {
    markFull(day, limit, key);
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

  // --- the counts: atomic ADDs, coalesced per item while one is in flight -------------------

  const counters = new Coalescer<Counts>();
  const days = new Coalescer<undefined>();
  type Existence = 'any' | 'existing' | 'new';

  /** ADD to the page's counter; `existing` only if it exists, `new` only if it does not. */
  const addToPage = (visit: Visit, increments: Increments, existence: Existence) => {
    const send = async (sums: Increments) => {
      let write = counter.upsert({ page: visit.page, site: visit.site }).add(sums);
      if (existence === 'existing') write = write.where(({ page }, { exists }) => exists(page));
      if (existence === 'new') write = write.where(({ page }, { notExists }) => notExists(page));
      return countsOf((await write.go({ response: 'all_new', originalErr })).data);
    };
    // A creation is one visit's own: never summed with another.
    return existence === 'new'
      ? send(increments)
      : counters.add(`${existence} ${visit.page}`, increments, send);
  };

  /** ADD to a page's (or a site's) day; `existing` only if that day already has counts. */
  const addToDay = (
    page: string,
    day: Day,
    increments: Increments,
    existence: Exclude<Existence, 'new'>,
  ) =>
    days.add(`${existence} ${page} ${day}`, increments, async (sums) => {
      let write = daily.upsert({ page, day }).add(sums);
      if (existence === 'existing') write = write.where(({ page }, { exists }) => exists(page));
      await write.go({ response: 'none', originalErr });
      return undefined;
    });

  // --- a person's records for the day, in the visits table -----------------------------------

  /** Adds the page to the visitor's day: were they new to the site, and to the page? */
  const markVisitor = async (id: string, token: string, day: Day) => {
    const marked = await guard(
      'visitor',
      unlessCondition(
        visitorRecord
          .update({ id })
          .add({ pages: [token] })
          .set({ expiresAt: expiresAt(day) })
          // Bounded: a day holds at most MAX_PAGES_PER_VISITOR pages.
          .where(
            ({ pages }, { notExists, contains, size, value }) =>
              `${notExists(pages)} OR ${contains(pages, token)} OR ${size(pages)} < ${value(pages, MAX_PAGES_PER_VISITOR as unknown as string[])}`,
          )
          .go({ response: 'updated_old', originalErr }),
      ),
    );
    // A full day: this page is not in it and cannot be added; the visit counts as a view.
    if (marked === false) return { newToSite: false, newToPage: false };
    const before = (marked.data as { pages?: string[] } | null)?.pages;
    return { newToSite: before === undefined, newToPage: !before?.includes(token) };
  };

  const viewQuotaOf = (salt: Buffer, address: string, page: string): ViewQuota | undefined => {
    const network = network48Of(address);
    if (network !== undefined && limits.viewsPerNetworkPerDay > 0) {
      const slotOf = keyedId(salt, 'slot', networkOf(address)).charCodeAt(0);
      return {
        id: keyedId(salt, 'views', network, page),
        slot: QUOTA_SLOTS[slotOf % QUOTA_SLOTS.length] as QuotaSlot,
      };
    }
    if (limits.viewsPerAddressPerDay === 0) return undefined;
    return { id: keyedId(salt, 'views', networkOf(address), page) };
  };
  /** The key each of a view quota's limits is remembered by. */
  const quotaKeys = (view: ViewQuota) => ({
    'views-per-address': `${view.id} ${view.slot ?? ''}`,
    'views-per-network': view.id,
  });
  /**
   * Whether a view can be charged alongside its counts (one round trip) rather than before them:
   * only when this instance knows the quota and, with every charge it has under way, still has
   * room. Near a limit, the charge goes first, so one instance never counts past it; instances
   * that do not see each other's charges may each count one view past it (ADR 12).
   */
  const roomFor = (day: Day, view: ViewQuota): boolean => {
    const keys = quotaKeys(view);
    const { viewsPerAddressPerDay: perAddress, viewsPerNetworkPerDay: perNetwork } = limits;
    const limitsOf: [string, number][] = view.slot
      ? [
          [keys['views-per-network'], perNetwork],
          ...(perAddress > 0 ? [[keys['views-per-address'], perAddress] as [string, number]] : []),
        ]
      : [[keys['views-per-address'], perAddress]];
    return limitsOf.every(([key, limit]) => {
      const known = quotaViews.get(day, key);
      return known !== undefined && known + (charging.get(key) ?? 0) < limit;
    });
  };

  /** The limit this instance already knows the view quota is at, if any. */
  const knownOver = (day: Day, view: ViewQuota): ViewLimit | undefined => {
    const keys = quotaKeys(view);
    if (isFull(day, 'views-per-network', keys['views-per-network'])) return 'views-per-network';
    if (isFull(day, 'views-per-address', keys['views-per-address'])) return 'views-per-address';
    return undefined;
  };

  /**
   * Charges one view to the address's (or its /48's) quota on the page, if it is under its
   * limits, and says which limit refused it if not (then nothing is charged). A charge that
   * fills a quota is remembered, so this instance refuses the next view without asking.
   */
  const chargeView = async (view: ViewQuota, day: Day): Promise<ViewLimit | undefined> => {
    const { viewsPerAddressPerDay: perAddress, viewsPerNetworkPerDay: perNetwork } = limits;
    const slot = view.slot;
    const keys = quotaKeys(view);
    const held = Object.values(keys);
    for (const key of held) charging.set(key, (charging.get(key) ?? 0) + 1);
    const charged = await guard(
      'view quota',
      unlessCondition(
        quota
          .update({ id: view.id })
          .add(slot ? { views: 1, [slot]: 1 } : { views: 1 })
          .set({ expiresAt: expiresAt(day) })
          .where((item, { notExists, lt }) => {
            const under = (name: 'views' | QuotaSlot, limit: number) =>
              `(${notExists(item[name])} OR ${lt(item[name], limit)})`;
            if (!slot) return under('views', perAddress);
            const network = under('views', perNetwork);
            return perAddress > 0 ? `${network} AND ${under(slot, perAddress)}` : network;
          })
          .go({ response: 'all_new', originalErr }),
      ),
    ).finally(() => {
      for (const key of held) {
        const left = (charging.get(key) ?? 1) - 1;
        if (left > 0) charging.set(key, left);
        else charging.delete(key);
      }
    });
    let after = charged === false ? undefined : (charged.data as Record<string, number>);
    if (charged === false) {
      // Which limit it was: read once, on this instance's first refusal for this quota.
      const { data } = await guard(
        'view quota',
        quota.get({ id: view.id }).go({ consistent: true, originalErr }),
      );
      after = (data ?? {}) as Record<string, number>;
    }
    quotaViews.add(day, keys['views-per-network'], after?.views ?? 0);
    quotaViews.add(day, keys['views-per-address'], after?.[slot ?? 'views'] ?? 0);
    const atNetwork = slot !== undefined && (after?.views ?? 0) >= perNetwork;
    const atAddress = perAddress > 0 && (after?.[slot ?? 'views'] ?? 0) >= perAddress;
    if (atNetwork) markFull(day, 'views-per-network', keys['views-per-network']);
    if (atAddress) markFull(day, 'views-per-address', keys['views-per-address']);
    if (charged !== false) return undefined;
    return atNetwork ? 'views-per-network' : 'views-per-address';
  };

  /**
   * Reserves a new page: one more for the address today and for the site. Both or neither: a
   * reservation the other refused is given back.
   */
  const creatorOf = (salt: Buffer, address: string) => keyedId(salt, 'created', networkOf(address));
  const reservePage = async (
    creator: string,
    visit: Visit,
    day: Day,
  ): Promise<LimitName | undefined> => {
    const perAddress = limits.newPagesPerAddressPerDay;
    const [byAddress, bySite] = await guard(
      'page quota',
      Promise.all([
        perAddress === 0
          ? Promise.resolve(true)
          : unlessCondition(
              quota
                .update({ id: creator })
                .add({ created: 1 })
                .set({ expiresAt: expiresAt(day) })
                .where(
                  ({ created }, { notExists, lt }) =>
                    `${notExists(created)} OR ${lt(created, perAddress)}`,
                )
                .go({ response: 'all_new', originalErr }),
            ),
        unlessCondition(
          siteRecord
            .update({ site: visit.site })
            .add({ pages: 1 })
            .where(
              ({ pages }, { notExists, lt }) =>
                `${notExists(pages)} OR ${lt(pages, limits.maxPagesPerSite)}`,
            )
            .go({ response: 'all_new', originalErr }),
        ),
      ]),
    );
    // Filled by this one: the next new page is refused here without asking.
    if (typeof byAddress === 'object' && (byAddress.data.created ?? 0) >= perAddress) {
      markFull(day, 'new-pages-per-address', creator);
    }
    if (bySite !== false && (bySite.data.pages ?? 0) >= limits.maxPagesPerSite) {
      markFull(day, 'pages-per-site', visit.site);
    }
    if (byAddress !== false && bySite !== false) return undefined;
    await Promise.allSettled([
      byAddress !== false && perAddress > 0 ? releaseCreator(creator) : undefined,
      bySite !== false ? releaseSitePage(visit.site) : undefined,
    ]);
    return byAddress === false ? 'new-pages-per-address' : 'pages-per-site';
  };
  const releaseCreator = (id: string) =>
    guard('page quota', quota.update({ id }).subtract({ created: 1 }).go({ originalErr }));
  const releaseSitePage = (site: string) =>
    guard('page quota', siteRecord.update({ site }).subtract({ pages: 1 }).go({ originalErr }));

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
  ): Promise<Counts & { counted: Counted }> => {
    const once = { views: 1 };
    const add = () =>
      guard(
        'increment',
        Promise.all([
          unlessCondition(addToPage(visit, once, 'existing')),
          unlessCondition(addToDay(visit.page, day, once, 'existing')),
          addToDay(visit.site, day, once, 'any'),
        ]),
      );
    let over: ViewLimit | undefined;
    let counts: Counts | false;
    if (!view || roomFor(day, view)) {
      [over, [counts]] = await Promise.all([view ? chargeView(view, day) : undefined, add()]);
      // Over a limit after all (another instance used the room): this view was counted before
      // that was known, the bound ADR 12 states; this instance refuses the next ones.
      if (over && view) refuse(day, over, quotaKeys(view)[over]);
    } else {
      over = await chargeView(view, day);
      if (over) {
        refuse(day, over, quotaKeys(view)[over]);
        return { ...((await read(visit.page)) ?? NONE), counted: 'limited' };
      }
      [counts] = await add();
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
    const creator = creatorOf(salt, person.address);
    const refused = isFull(day, 'new-pages-per-address', creator)
      ? 'new-pages-per-address'
      : isFull(day, 'pages-per-site', visit.site)
        ? 'pages-per-site'
        : await reservePage(creator, visit, day);
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
      limits.newPagesPerAddressPerDay > 0 ? releaseCreator(creator) : undefined,
      releaseSitePage(visit.site),
    ]);
    return guard('increment', addToPage(visit, onPage, 'any'));
  };

  /** A visitor this instance does not know on this page: who are they, then the counts. */
  const countUnknown = async (
    visit: Visit,
    person: Person,
    day: Day,
    salt: Buffer,
    ids: { visitor: string; token: string; key: string },
    view: ViewQuota | undefined,
  ): Promise<Counts & { counted: Counted }> => {
    const pageKnown = existing.has(day, visit.page);
    const [marked, over, found] = await Promise.all([
      markVisitor(ids.visitor, ids.token, day),
      view ? chargeView(view, day) : undefined,
      pageKnown ? undefined : read(visit.page),
    ]);
    if (over && view) {
      refuse(day, over, quotaKeys(view)[over]);
      return { ...(found ?? (await read(visit.page)) ?? NONE), counted: 'limited' };
    }

    const onPage = { views: 1, visitors: marked.newToPage ? 1 : 0 };
    const onSite = { views: 1, visitors: marked.newToSite ? 1 : 0 };
    const onDays = () => [
      addToDay(visit.page, day, onPage, 'any'),
      addToDay(visit.site, day, onSite, 'any'),
    ];
    let counts: Counts | false;
    if (found) {
      [counts] = await guard(
        'increment',
        Promise.all([addToPage(visit, onPage, 'any'), ...onDays()]),
      );
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
    const view = viewQuotaOf(salt, person.address, visit.page);
    const over = view && knownOver(day, view);
    if (view && over) {
      refuse(day, over, quotaKeys(view)[over]);
      return { ...((await read(visit.page)) ?? NONE), counted: 'limited' };
    }

    // One visitor's concurrent POSTs to one page: the first finds out who they are, the others
    // wait for it and are then returning visitors.
    const first = firstVisits.get(key);
    if (first) await first.catch(() => {});
    if (seen.has(day, key) && existing.has(day, visit.page)) {
      return countReturning(visit, day, view, key);
    }
    const counting = countUnknown(visit, person, day, salt, { visitor, token, key }, view);
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
      return data.map((item) => ({ date: item.day, ...countsOf(item) }));
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

    prepare: () => salts.prepare(dayOf(now())),
  };
}
