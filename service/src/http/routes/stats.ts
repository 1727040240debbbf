import { Hono } from 'hono/quick';
import { validator } from 'hono/validator';
import { DEFAULT_DAYS, MAX_DAYS, MIN_DAYS } from '../../domain/history.js';
import { parseOptionalPage, rawQueryOf } from '../../domain/page.js';
import { pageTooLong, readerSite, scopedPage, siteTotal } from '../../domain/scope.js';
import type { Breakdown, CounterStore, Counts, DayCounts } from '../../domain/store.js';
import { dayOf } from '../../domain/visitor.js';
import { errorResponse, methodNotAllowed, resourceCors } from '../http.js';

const DAY_MS = 86_400_000;
const METHODS = ['GET', 'OPTIONS'];

export interface StatsRoutesOptions {
  readonly counter: CounterStore;
  readonly allowedOrigins: readonly string[];
  readonly now: () => Date;
}

/** `days` from a raw query string: absent → the default; otherwise a whole number in range. */
export function parseDays(
  rawQuery: string,
): { ok: true; days: number } | { ok: false; message: string } {
  const values = new URLSearchParams(rawQuery).getAll('days');
  if (values.length === 0) return { ok: true, days: DEFAULT_DAYS };
  const [raw = ''] = values;
  if (
    values.length > 1 ||
    !/^\d{1,3}$/.test(raw) ||
    Number(raw) < MIN_DAYS ||
    Number(raw) > MAX_DAYS
  ) {
    return {
      ok: false,
      message: `days must be given once, a whole number from ${MIN_DAYS} to ${MAX_DAYS}`,
    };
  }
  return { ok: true, days: Number(raw) };
}

/** Every day from `from` to `to`, with zeros where nothing was counted. */
function everyDay(from: string, to: string, counted: readonly DayCounts[]): DayCounts[] {
  const byDate = new Map(counted.map((day) => [day.date, day]));
  const days: DayCounts[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    const date = dayOf(new Date(t));
    const day = byDate.get(date);
    days.push({ date, views: day?.views ?? 0, visitors: day?.visitors ?? 0, bots: day?.bots ?? 0 });
  }
  return days;
}

/** Names a stats answer lists per dimension; the rest of the range is summed as `other`. */
export const MAX_NAMES_PER_ANSWER = 20;

/**
 * A dimension's views and visitors over the range, most views first, at most
 * `MAX_NAMES_PER_ANSWER` names and then `other` with the rest.
 */
function ranked<K extends 'source' | 'country'>(
  key: K,
  days: readonly (Breakdown | undefined)[],
): (Record<K, string> & { views: number; visitors: number })[] {
  const totals = new Map<string, { views: number; visitors: number }>();
  for (const day of days) {
    for (const [name, counts] of Object.entries(day ?? {})) {
      const total = totals.get(name) ?? { views: 0, visitors: 0 };
      totals.set(name, {
        views: total.views + counts.views,
        visitors: total.visitors + counts.visitors,
      });
    }
  }
  const other = totals.get('other') ?? { views: 0, visitors: 0 };
  totals.delete('other');
  const order = [...totals].sort(
    ([a, x], [b, y]) => y.views - x.views || y.visitors - x.visitors || a.localeCompare(b),
  );
  for (const [, rest] of order.slice(MAX_NAMES_PER_ANSWER)) {
    other.views += rest.views;
    other.visitors += rest.visitors;
  }
  const listed = order.slice(0, MAX_NAMES_PER_ANSWER);
  if (other.views > 0 || other.visitors > 0) listed.push(['other', other]);
  return listed.map(
    ([name, counts]) =>
      ({ [key]: name, ...counts }) as Record<K, string> & { views: number; visitors: number },
  );
}

const sum = (days: readonly Counts[]): Counts =>
  days.reduce(
    (total, day) => ({
      views: total.views + day.views,
      visitors: total.visitors + day.visitors,
      bots: total.bots + day.bots,
    }),
    { views: 0, visitors: 0, bots: 0 },
  );

/**
 * `/stats`: a page's (or, without `page`, the whole site's) counts per UTC day, oldest first,
 * with zeros for quiet days, and their totals. Read-only; one query whatever the range.
 */
export function statsRoutes({ counter, allowedOrigins, now }: StatsRoutesOptions) {
  const allowed = new Set(allowedOrigins);
  const query = validator('query', (_query, c) => {
    const raw = rawQueryOf(c.req.url);
    const page = parseOptionalPage(raw);
    if (!page.ok) return errorResponse(c, 400, 'invalid_page', page.message);
    const days = parseDays(raw);
    if (!days.ok) return errorResponse(c, 400, 'invalid_days', days.message);
    return { page: page.page, days: days.days };
  });

  return (
    new Hono()
      // Sites that embed the counter may read their own history.
      .use('/', ...resourceCors(METHODS, allowed))
      .get('/', query, async (c) => {
        const { page, days } = c.req.valid('query');
        const from = readerSite(c, allowed);
        const tooLong = page === undefined ? undefined : pageTooLong(from, page);
        if (tooLong) return errorResponse(c, 400, 'invalid_page', tooLong);
        const key = page === undefined ? siteTotal(from) : scopedPage(from, page);
        const today = now();
        const to = dayOf(today);
        const first = dayOf(new Date(today.getTime() - (days - 1) * DAY_MS));
        const counted = await counter.history(key, first, to);
        const series = everyDay(first, to, counted);
        return c.json({
          page: page ?? null,
          from: first,
          to,
          days: series,
          totals: sum(series),
          // Kept for the whole site (a page's days hold none): with `page`, both are empty.
          sources: ranked(
            'source',
            counted.map((day) => day.sources),
          ),
          countries: ranked(
            'country',
            counted.map((day) => day.countries),
          ),
        });
      })
      .all('/', methodNotAllowed(METHODS))
  );
}
