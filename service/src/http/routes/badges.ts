import type { Context } from 'hono';
import { Hono } from 'hono/quick';
import { validator } from 'hono/validator';
import {
  abbreviate,
  badgeSvg,
  MAX_LABEL_LENGTH,
  shieldJson,
  type Theme,
} from '../../domain/badge.js';
import { parsePage, rawQueryOf } from '../../domain/page.js';
import type { CounterStore, Counts } from '../../domain/store.js';
import { errorResponse, methodNotAllowed } from '../http.js';

/** Badges change slowly and are fetched by every README view: the one cacheable answer. */
export const BADGE_CACHE_CONTROL = 'public, max-age=60';

/** What a badge can show: each of a page's counts. The default label is the metric's name. */
const METRICS = ['visitors', 'views', 'bots'] as const satisfies readonly (keyof Counts)[];
type Metric = (typeof METRICS)[number];
const THEMES = ['auto', 'light', 'dark'] as const;

type Parsed =
  | { ok: true; page: string; metric: Metric; label: string; theme: Theme }
  | { ok: false; code: string; message: string };

/** The badge's query: `page`, `metric`, `label` and `theme`, each at most once. */
function parseBadgeQuery(rawQuery: string): Parsed {
  const page = parsePage(rawQuery);
  if (!page.ok) return { ok: false, code: 'invalid_page', message: page.message };
  const params = new URLSearchParams(rawQuery);
  const one = (name: string) => {
    const values = params.getAll(name);
    return values.length > 1 ? null : values[0];
  };
  const metricGiven = one('metric');
  const metric = metricGiven === undefined ? 'visitors' : metricGiven;
  if (metric === null || !METRICS.includes(metric as never)) {
    const choices = `${METRICS.slice(0, -1).join(', ')} or ${METRICS.at(-1)}`;
    return { ok: false, code: 'invalid_metric', message: `metric must be ${choices}` };
  }
  const themeGiven = one('theme');
  const theme = themeGiven === undefined ? 'auto' : themeGiven;
  if (theme === null || !THEMES.includes(theme as never)) {
    return { ok: false, code: 'invalid_theme', message: 'theme must be auto, light or dark' };
  }
  const labelGiven = one('label');
  const label = labelGiven === undefined ? metric : labelGiven;
  if (
    label === null ||
    label.trim() === '' ||
    [...label].length > MAX_LABEL_LENGTH ||
    /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(label)
  ) {
    return {
      ok: false,
      code: 'invalid_label',
      message: `label must be given once, 1 to ${MAX_LABEL_LENGTH} visible characters`,
    };
  }
  return {
    ok: true,
    page: page.page,
    metric: metric as Metric,
    label,
    theme: theme as Theme,
  };
}

/**
 * `/badge.svg` and `/shield`: a page's count as a badge, for READMEs and other sites. Never
 * writes. The resume's own counts only: the answer is cached by URL, whoever asks.
 */
export function badgeRoutes({ counter }: { readonly counter: CounterStore }) {
  const query = validator('query', (_query, c) => {
    const parsed = parseBadgeQuery(rawQueryOf(c.req.url));
    if (!parsed.ok) return errorResponse(c, 400, parsed.code, parsed.message);
    return parsed;
  });
  const value = async (page: string, metric: Metric) =>
    abbreviate((await counter.counts(page))[metric]);
  const cacheable = (c: Context) => c.header('Cache-Control', BADGE_CACHE_CONTROL);

  return new Hono()
    .get('/badge.svg', query, async (c) => {
      const { page, metric, label, theme } = c.req.valid('query');
      const svg = badgeSvg(label, await value(page, metric), theme);
      cacheable(c);
      return c.body(svg, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8' });
    })
    .get('/shield', query, async (c) => {
      const { page, metric, label } = c.req.valid('query');
      cacheable(c);
      return c.json(shieldJson(label, await value(page, metric)));
    })
    .on(
      ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
      ['/badge.svg', '/shield'],
      methodNotAllowed(['GET']),
    );
}
