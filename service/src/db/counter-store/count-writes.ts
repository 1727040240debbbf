import type { Counts, Visit } from '../../domain/store.js';
import type { Day } from '../../domain/visitor.js';
import type { Database } from '../index.js';
import {
  type BreakdownMap,
  BreakdownMemory,
  fitNames,
  MAX_NAMES_PER_DAY,
  mapsOf,
  splitIncrements,
} from './breakdown.js';
import { Coalescer, type Increments } from './coalesce.js';

export const countsOf = (item: Partial<Counts> | null | undefined): Counts => ({
  views: item?.views ?? 0,
  visitors: item?.visitors ?? 0,
  bots: item?.bots ?? 0,
});
export const NONE: Counts = { views: 0, visitors: 0, bots: 0 };

const conditionFailed = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
/** An ADD into a map the item does not have (yet). */
const noMaps = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ValidationException' &&
  /document path/i.test((error as Error).message);

/** A write whose condition failed answers `false` instead of failing. */
export const unlessCondition = <T>(write: Promise<T>): Promise<T | false> =>
  write.catch((error: unknown) => {
    if (conditionFailed(error)) return false;
    throw error;
  });

/** Which items an ADD may touch: any, only one that exists, or only a new one. */
export type Existence = 'any' | 'existing' | 'new';

export type CountWrites = ReturnType<typeof countWrites>;

/**
 * The counts: atomic ADDs to a page's counter and to a page's (or a site's) day, coalesced per
 * item while one is in flight (`coalesce.ts`). Never read, add, write.
 */
export function countWrites(database: Database) {
  const { counter, daily } = database.entities;
  // The AWS error as thrown, not wrapped in an ElectroError: it becomes our error's `cause`.
  const originalErr = true;
  const counters = new Coalescer<Counts>();
  const days = new Coalescer<undefined>();

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
      const { flat, nested } = splitIncrements(sums);
      if (nested.length > 0) {
        await addWithBreakdown(page, day, flat, nested);
        return undefined;
      }
      let write = daily.upsert({ page, day }).add(flat);
      if (existence === 'existing') write = write.where(({ page }, { exists }) => exists(page));
      await write.go({ response: 'none', originalErr });
      return undefined;
    });

  const breakdowns = new BreakdownMemory();
  const noNames = { sv: new Set<string>(), cv: new Set<string>() };

  /**
   * A site's day with its sources and countries (`breakdown.ts`), in the one write the day gets
   * anyway: ADDs into the day's maps, each held to MAX_NAMES_PER_DAY names and `other` by the
   * write's condition. A name the day has no room for is sent again as `other` (then without
   * it); the day's first write, finding no maps, makes them with its own names.
   */
  const addWithBreakdown = async (
    page: string,
    day: Day,
    flat: Increments,
    nested: [BreakdownMap, string, number][],
  ): Promise<void> => {
    const known = breakdowns.get(day, page) ?? noNames;
    for (const squeeze of [false, true]) {
      const fitted = fitNames(nested, known, squeeze);
      const fresh = Object.entries(fitted.fresh).filter(([, names]) => names.size > 0);
      let write = daily
        .update({ page, day })
        .add(flat)
        .data((attributes, { add }) => {
          const maps = attributes as unknown as Record<BreakdownMap, Record<string, never>>;
          for (const [map, name, n] of fitted.nested) add(maps[map][name], n as never);
        });
      if (fresh.length > 0) {
        write = write.where((attributes, { exists, notExists, size, value }) =>
          fresh
            .map(([map, names]) => {
              const m = (attributes as unknown as Record<string, Record<string, never>>)[map];
              const all = [...names].map((name) => exists(m?.[name] as never)).join(' AND ');
              // No maps yet (the write fails, and makes them), the names there already, or room
              // for them, `other` counted as one of them.
              const most = value(m as never, (MAX_NAMES_PER_DAY + 1 - names.size) as never);
              return `(${notExists(m as never)} OR (${all}) OR ${size(m as never)} <= ${most})`;
            })
            .join(' AND '),
        );
      }
      try {
        const { data } = await write.go({ response: 'all_new', originalErr });
        return breakdowns.learn(day, page, data as never);
      } catch (error) {
        if (noMaps(error)) return makeMaps(page, day, flat, nested);
        if (!conditionFailed(error)) throw error;
      }
    }
    // No room even for `other`: the visit counts without its source and country.
    await daily.upsert({ page, day }).add(flat).go({ response: 'none', originalErr });
  };

  /** The day's first write: its maps made with its own names, unless another write was first. */
  const makeMaps = async (
    page: string,
    day: Day,
    flat: Increments,
    nested: [BreakdownMap, string, number][],
  ): Promise<void> => {
    const maps = mapsOf(fitNames(nested, noNames).nested);
    const { data } = await daily
      .upsert({ page, day })
      .add(flat)
      .ifNotExists(maps)
      .go({ response: 'all_old', originalErr });
    if ((data as Record<string, unknown> | null)?.sv === undefined) {
      return breakdowns.learn(day, page, maps);
    }
    // Another write made them meanwhile: this one's counts are in, its names go in as usual.
    return addWithBreakdown(page, day, {}, nested);
  };

  return { addToPage, addToDay };
}
