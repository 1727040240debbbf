import type { Counts, Visit } from '../../domain/store.js';
import type { Day } from '../../domain/visitor.js';
import type { Database } from '../index.js';
import { Coalescer, type Increments } from './coalesce.js';

export const countsOf = (item: Partial<Counts> | null | undefined): Counts => ({
  views: item?.views ?? 0,
  visitors: item?.visitors ?? 0,
  bots: item?.bots ?? 0,
});
export const NONE: Counts = { views: 0, visitors: 0, bots: 0 };

const conditionFailed = (error: unknown) =>
  (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

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
      let write = daily.upsert({ page, day }).add(sums);
      if (existence === 'existing') write = write.where(({ page }, { exists }) => exists(page));
      await write.go({ response: 'none', originalErr });
      return undefined;
    });

  return { addToPage, addToDay };
}
