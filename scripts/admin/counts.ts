import { randomBytes } from 'node:crypto';
import type {
  AdjustmentAction,
  AdjustmentItem,
} from '../../service/src/db/admin-entities/adjustment.js';
import { siteTotalOfPage } from '../../service/src/domain/scope.js';
import type { Counts, DayCounts } from '../../service/src/domain/store.js';
import type { AdminDatabase } from './database.js';
import { AdminError, isConditionFailed } from './errors.js';

// The AWS error as thrown, not wrapped in an ElectroError: messages stay short.
const originalErr = true;

export const countsOf = (item: Partial<Counts> | null | undefined): Counts => ({
  views: item?.views ?? 0,
  visitors: item?.visitors ?? 0,
  bots: item?.bots ?? 0,
});

export interface PageCounts extends Counts {
  readonly page: string;
}

/** Every counted page of every site, most viewed first. */
export async function listPages(database: AdminDatabase): Promise<PageCounts[]> {
  const { data } = await database.entities.counter.scan.go({ pages: 'all', originalErr });
  return data
    .map((item) => ({ page: item.page, ...countsOf(item) }))
    .sort((a, b) => b.views - a.views || a.page.localeCompare(b.page));
}

/** A page's totals, read strongly consistent. */
export async function readCounts(database: AdminDatabase, page: string): Promise<Counts> {
  const { data } = await database.entities.counter
    .get({ page })
    .go({ consistent: true, originalErr });
  return countsOf(data);
}

/** A page's (or a site's) counts for one UTC day, read strongly consistent. */
export async function readDayCounts(
  database: AdminDatabase,
  page: string,
  day: string,
): Promise<Counts> {
  const { data } = await database.entities.daily
    .get({ page, day })
    .go({ consistent: true, originalErr });
  return countsOf(data);
}

export interface PageReport {
  readonly totals: Counts;
  /** Every day of the range, oldest first, days without traffic as zeros. */
  readonly days: DayCounts[];
  readonly adjustments: number;
}

/** `show`: a page's totals, its last `days` UTC days ending `today`, and how often it was adjusted. */
export async function showPage(
  database: AdminDatabase,
  page: string,
  days: number,
  today: Date,
): Promise<PageReport> {
  const dates = daysEndingOn(today, days);
  const [totals, series, adjustments] = await Promise.all([
    readCounts(database, page),
    database.entities.daily.query
      .byPage({ page })
      .between({ day: dates[0] ?? '' }, { day: dates.at(-1) ?? '' })
      .go({ pages: 'all', originalErr }),
    database.entities.adjustment.query.byPage({ page }).go({ pages: 'all', originalErr }),
  ]);
  const byDay = new Map(series.data.map((item) => [item.day, countsOf(item)]));
  return {
    totals,
    days: dates.map((date) => ({ date, ...(byDay.get(date) ?? countsOf(undefined)) })),
    adjustments: adjustments.data.length,
  };
}

/** `n` UTC dates (`YYYY-MM-DD`) ending on `today`'s, oldest first. */
export function daysEndingOn(today: Date, n: number): string[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: n }, (_, i) =>
    new Date(end - (n - 1 - i) * 86_400_000).toISOString().slice(0, 10),
  );
}

/** `history`: a page's adjustments, oldest first. */
export async function history(database: AdminDatabase, page: string): Promise<AdjustmentItem[]> {
  const { data } = await database.entities.adjustment.query
    .byPage({ page })
    .go({ pages: 'all', originalErr });
  return data;
}

export interface Recorded {
  /** A page, or (for `set-day`) a site's totals key. */
  readonly page: string;
  readonly action: AdjustmentAction;
  readonly who: string;
  readonly note: string;
  readonly from: Pick<Counts, 'views' | 'visitors'>;
  readonly to: Pick<Counts, 'views' | 'visitors'>;
  readonly source?: string | undefined;
  /** The UTC day a `set-day` corrected. */
  readonly day?: string | undefined;
  readonly at: Date;
}

/** Adds an adjustment to a page's audit trail. */
export async function recordAdjustment(database: AdminDatabase, entry: Recorded): Promise<void> {
  await database.entities.adjustment
    .create({
      page: entry.page,
      at: entry.at.toISOString(),
      id: randomBytes(6).toString('base64url'),
      action: entry.action,
      who: entry.who,
      note: entry.note,
      fromViews: entry.from.views,
      toViews: entry.to.views,
      fromVisitors: entry.from.visitors,
      toVisitors: entry.to.visitors,
      ...(entry.source === undefined ? {} : { source: entry.source }),
      ...(entry.day === undefined ? {} : { day: entry.day }),
    })
    .go({ response: 'none', originalErr });
}

/** The site-totals key a page's counter carries (for the by-site index). */
export function siteOfPage(page: string): string {
  const site = siteTotalOfPage(page);
  if (site === undefined) throw new AdminError(`${page} is not a page`);
  return site;
}

/** A real calendar date, `YYYY-MM-DD`. */
export const isDay = (value: unknown): value is string =>
  typeof value === 'string' &&
  /^\d{4}-\d{2}-\d{2}$/.test(value) &&
  !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) &&
  new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);

export interface SetOptions {
  /** A page; with `day`, a site's totals key (`*`, `https://blog.example*`) too. */
  readonly page: string;
  /**
   * A UTC day (`YYYY-MM-DD`): sets that day's counts (the `daily` item) instead of the page's
   * all-time counter, which is left as it is.
   */
  readonly day?: string | undefined;
  readonly views: number;
  /** @default unchanged */
  readonly visitors?: number | undefined;
  readonly note: string;
  readonly who: string;
  readonly now?: () => Date;
  /** Runs between reading the counts and writing them (tests race a visit into the gap). */
  readonly beforeWrite?: () => Promise<void>;
}

export interface SetResult {
  /** The counts the new totals replaced, at the instant they were replaced. */
  readonly from: Counts;
  readonly to: Counts;
  /** Writes tried: more than one when visits landed between a read and its write. */
  readonly attempts: number;
}

/** Conditional writes tried before giving up on a page that never stops being counted. */
const MAX_ATTEMPTS = 100;

/** ElectroDB's condition operators, as much of them as a "still as read" condition needs. */
interface ConditionOps {
  eq(attribute: unknown, value: unknown): string;
  notExists(attribute: unknown): string;
}

/** The condition that the views and visitors are still those read (`before`, if any). */
const stillAsRead =
  (before: Partial<Counts> | null | undefined) =>
  (attribute: Record<'views' | 'visitors', unknown>, op: ConditionOps) =>
    (['views', 'visitors'] as const)
      .map((field) =>
        before?.[field] === undefined
          ? op.notExists(attribute[field])
          : op.eq(attribute[field], before[field]),
      )
      .join(' AND ');

/**
 * `set`: gives a page's counter (or, with `day`, a page's or a site's day) exact views and
 * visitors without losing a visit that lands meanwhile. The write is conditional on the counts
 * just read; if a visit changed them in between, the write is refused, nothing is lost, and the
 * read and write are tried again. Visits after the write add to the new numbers as usual. Then
 * the adjustment is recorded with the counts replaced.
 */
export async function setCounts(database: AdminDatabase, options: SetOptions): Promise<SetResult> {
  const { counter, daily } = database.entities;
  const { page, day } = options;
  // Refuses a site's totals key before anything is read: a site keeps days, not a counter.
  const site = day === undefined ? siteOfPage(page) : undefined;
  const what = day === undefined ? page : `${page} on ${day}`;
  for (let attempts = 1; ; attempts++) {
    const { data: before } =
      day === undefined
        ? await counter.get({ page }).go({ consistent: true, originalErr })
        : await daily.get({ page, day }).go({ consistent: true, originalErr });
    await options.beforeWrite?.();
    const from = countsOf(before);
    const to = { ...from, views: options.views, visitors: options.visitors ?? from.visitors };
    try {
      const counts = { views: to.views, visitors: to.visitors };
      if (day === undefined) {
        await counter
          .upsert({ page, site, ...counts })
          .where(stillAsRead(before))
          .go({ response: 'none', originalErr });
      } else {
        await daily
          .upsert({ page, day, ...counts })
          .where(stillAsRead(before))
          .go({ response: 'none', originalErr });
      }
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      if (attempts >= MAX_ATTEMPTS) {
        throw new AdminError(
          `${what} was counted during each of ${attempts} tries to set it; nothing was changed. Try again when it is quieter.`,
        );
      }
      // Someone's visit landed between the read and the write: read again, after a short pause.
      await new Promise((done) => setTimeout(done, Math.random() * 10 * Math.min(attempts, 10)));
      continue;
    }
    await recordAdjustment(database, {
      page,
      action: day === undefined ? 'set' : 'set-day',
      who: options.who,
      note: options.note,
      from,
      to,
      day,
      at: (options.now ?? (() => new Date()))(),
    }).catch((error: unknown) => {
      throw new AdminError(
        `${what} was set (views ${from.views} → ${to.views}, visitors ${from.visitors} → ${to.visitors}) but the adjustment could not be recorded: ${(error as Error).message}`,
      );
    });
    return { from, to, attempts };
  }
}
