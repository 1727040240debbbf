import { Hono } from 'hono';
import { validator } from 'hono/validator';
import { DEFAULT_DAYS, MAX_DAYS, MIN_DAYS } from '../../domain/history.js';
import { parseOptionalPage, rawQueryOf } from '../../domain/page.js';
import { pageTooLong, readerSite, scopedPage, siteTotal } from '../../domain/scope.js';
import type { CounterStore, Counts, DayCounts } from '../../domain/store.js';
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
        const series = everyDay(first, to, await counter.history(key, first, to));
        return c.json({ page: page ?? null, from: first, to, days: series, totals: sum(series) });
      })
      .all('/', methodNotAllowed(METHODS))
  );
}
