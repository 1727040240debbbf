import type { LimitName, Visit } from '../../domain/store.js';
import { type Day, expiresAt, keyedId, network48Of, networkOf } from '../../domain/visitor.js';
import { QUOTA_SLOTS, type QuotaSlot } from '../entities/quota.js';
import type { Database, VisitsDatabase } from '../index.js';
import { unlessCondition } from './count-writes.js';
import { DayMemory, MEMORY } from './day-memory.js';
import type { Guard } from './guard.js';

/** The limits a store holds visits to (`domain/counting-limits.ts` documents and defaults them). */
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

/** Pages one visitor's record holds for a day; past them, its visits count as views only. */
export const MAX_PAGES_PER_VISITOR = 64;

export type ViewLimit = Extract<LimitName, 'views-per-address' | 'views-per-network'>;

/** What a visit is charged against the per-address and per-network view limits. */
export interface ViewQuota {
  /** The quota item: the address's (or, for IPv6 with a network limit, its /48's) on the page. */
  readonly id: string;
  /** For a /48: the slot this /64 counts in. */
  readonly slot?: QuotaSlot;
}

export type VisitRecords = ReturnType<typeof visitRecords>;

/**
 * A person's records for the day, in the visits table (ADR 12): the visitor's day (new to the
 * site? to the page?), the view quotas of an address (and of an IPv6 /48) on a page, and the
 * pages an address and a site may create. Each is one conditional write, bounded by `limits`;
 * what this instance learns of the quotas (which are full, how many views they held) it
 * remembers for the day, so it can refuse or charge alongside without asking first.
 */
export function visitRecords(
  database: Database,
  visits: VisitsDatabase,
  limits: CountingLimits,
  guard: Guard,
) {
  const { site: siteRecord } = database.entities;
  const { visitor: visitorRecord, quota } = visits.entities;
  // The AWS error as thrown, not wrapped in an ElectroError: it becomes our error's `cause`.
  const originalErr = true;
  /** Quotas this instance knows are used up today, by `${limit} ${key}`. */
  const full = new DayMemory(MEMORY.limited);
  /** The views each quota held after this instance last charged it, and its charges under way. */
  const quotaViews = new DayMemory(MEMORY.limited);
  const charging = new Map<string, number>();
  /** Charges sent alongside their counts and not yet answered, by quota key. */
  const alongside = new Map<string, Set<Promise<unknown>>>();

  const isFull = (day: Day, limit: LimitName, key: string) => full.has(day, `${limit} ${key}`);
  const markFull = (day: Day, limit: LimitName, key: string) => full.add(day, `${limit} ${key}`);

  /**
   * Adds the page (and the application link it came by, if any) to the visitor's day: were they
   * new to the site, to the page, and to the link?
   */
  const markVisitor = async (id: string, token: string, day: Day, linkToken?: string) => {
    const tokens = linkToken === undefined ? [token] : [token, linkToken];
    const marked = await guard(
      'visitor',
      unlessCondition(
        visitorRecord
          .update({ id })
          .add({ pages: tokens })
          .set({ expiresAt: expiresAt(day) })
          // Bounded: a day holds at most MAX_PAGES_PER_VISITOR tokens.
          .where(({ pages }, { notExists, contains, size, value }) => {
            const room = value(
              pages,
              (MAX_PAGES_PER_VISITOR - tokens.length + 1) as unknown as string[],
            );
            const all = tokens.map((t) => contains(pages, t)).join(' AND ');
            return `${notExists(pages)} OR (${all}) OR ${size(pages)} < ${room}`;
          })
          .go({ response: 'updated_old', originalErr }),
      ),
    );
    // A full day: this page is not in it and cannot be added; the visit counts as a view.
    if (marked === false) return { newToSite: false, newToPage: false, newToLink: false };
    const before = (marked.data as { pages?: string[] } | null)?.pages;
    return {
      newToSite: before === undefined,
      newToPage: !before?.includes(token),
      newToLink: linkToken !== undefined && !before?.includes(linkToken),
    };
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

  /** The conditional ADD of one view to a quota; `false` when a limit refused it. */
  const sendCharge = (
    view: ViewQuota,
    day: Day,
    slot: QuotaSlot | undefined,
    perAddress: number,
    perNetwork: number,
  ) =>
    guard(
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
    );

  /**
   * Charges one view to the address's (or its /48's) quota on the page, if it is under its
   * limits, and says which limit refused it if not (then nothing is charged). A charge that
   * fills a quota is remembered, so this instance refuses the next view without asking.
   * `withCounts`: sent alongside the view's counts (`roomFor` said there is room).
   */
  const chargeView = async (
    view: ViewQuota,
    day: Day,
    withCounts = false,
  ): Promise<ViewLimit | undefined> => {
    const { viewsPerAddressPerDay: perAddress, viewsPerNetworkPerDay: perNetwork } = limits;
    const slot = view.slot;
    const keys = quotaKeys(view);
    const held = Object.values(keys);
    if (!withCounts) {
      // A charge sent now could reach DynamoDB before the ones sent alongside their counts,
      // and take the room they were counted in: it waits for them while they hold it all.
      for (;;) {
        const ahead = held.flatMap((key) => [...(alongside.get(key) ?? [])]);
        if (ahead.length === 0 || roomFor(day, view)) break;
        await Promise.allSettled(ahead);
      }
      const over = knownOver(day, view);
      if (over) return over;
    }
    // Under way until its answer is remembered: a charge must never be in neither count, or
    // another visit would see room that is not there.
    for (const key of held) charging.set(key, (charging.get(key) ?? 0) + 1);
    let charged: Awaited<ReturnType<typeof sendCharge>>;
    let after: Record<string, number>;
    try {
      const sent = sendCharge(view, day, slot, perAddress, perNetwork);
      if (withCounts) {
        for (const key of held) alongside.set(key, (alongside.get(key) ?? new Set()).add(sent));
        sent
          .catch(() => {})
          .finally(() => {
            for (const key of held) {
              const under = alongside.get(key);
              under?.delete(sent);
              if (under?.size === 0) alongside.delete(key);
            }
          });
      }
      charged = await sent;
      if (charged === false) {
        // Which limit it was: read once, on this instance's first refusal for this quota.
        const { data } = await guard(
          'view quota',
          quota.get({ id: view.id }).go({ consistent: true, originalErr }),
        );
        after = (data ?? {}) as Record<string, number>;
      } else {
        after = charged.data as Record<string, number>;
      }
      // Answers can come back out of order: a quota's count never goes down within its day, so
      // an earlier, lower answer must not make the instance think there is room again.
      const remember = (key: string, views: number) =>
        quotaViews.add(day, key, Math.max(quotaViews.get(day, key) ?? 0, views));
      remember(keys['views-per-network'], after.views ?? 0);
      remember(keys['views-per-address'], after[slot ?? 'views'] ?? 0);
    } finally {
      for (const key of held) {
        const left = (charging.get(key) ?? 1) - 1;
        if (left > 0) charging.set(key, left);
        else charging.delete(key);
      }
    }
    const atNetwork = slot !== undefined && (after.views ?? 0) >= perNetwork;
    const atAddress = perAddress > 0 && (after[slot ?? 'views'] ?? 0) >= perAddress;
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

  return {
    isFull,
    markFull,
    markVisitor,
    viewQuotaOf,
    quotaKeys,
    roomFor,
    knownOver,
    chargeView,
    creatorOf,
    reservePage,
    releaseCreator,
    releaseSitePage,
  };
}
