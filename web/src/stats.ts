/**
 * The stats page: reads the API's history and page list and draws them, with no library: an
 * SVG line chart of visitors and views, a table of the same numbers (the chart's text
 * alternative), the pages with a sparkline each, and where visitors came from and their
 * countries, a bar each. Everything the API sends is inserted as text.
 */

export interface Day {
  readonly date: string;
  readonly views: number;
  readonly visitors: number;
  readonly bots: number;
}
export interface Stats {
  readonly from: string;
  readonly to: string;
  readonly days: readonly Day[];
  readonly totals: { readonly views: number; readonly visitors: number; readonly bots: number };
  /** The site's sources and countries, most viewed first; absent from an older API. */
  readonly sources?: readonly {
    readonly source: string;
    readonly views: number;
    readonly visitors: number;
  }[];
  readonly countries?: readonly {
    readonly country: string;
    readonly views: number;
    readonly visitors: number;
  }[];
}
export interface PageRow {
  readonly page: string;
  readonly views: number;
  readonly visitors: number;
  readonly bots: number;
}

const PERIODS = [7, 30, 90, 365];
const SVG = 'http://www.w3.org/2000/svg';
const SPARKLINES = 10;

/** `?days=` from the address, if it is one of the offered periods; else 30. */
export function periodFrom(search: string): number {
  const days = Number(new URLSearchParams(search).get('days'));
  return PERIODS.includes(days) ? days : 30;
}

/** Points for an SVG polyline: `values` spread over `width`, scaled to `height` by `max`. */
export function linePoints(values: readonly number[], width: number, height: number, max: number) {
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  const top = Math.max(1, max);
  return values
    .map((value, i) => `${round(i * step)},${round(height - (value / top) * height)}`)
    .join(' ');
}
const round = (n: number) => Math.round(n * 10) / 10;

/** The share of all requests that were bots, as a whole percentage. */
export function botShare(totals: Stats['totals']): string {
  const all = totals.views + totals.bots;
  return all === 0 ? '0%' : `${Math.round((totals.bots / all) * 100)}%`;
}

const format = (n: number) => new Intl.NumberFormat().format(n);

/** What the API calls the sum of the sources or countries past its bound, and unknown ones. */
const OTHER = 'other';

/** A source as a person reads it: `direct` and `other` in words, a host or engine as it is. */
export function sourceLabel(source: string): string {
  if (source === 'direct') return 'Direct (no referrer)';
  if (source === OTHER) return 'Other';
  return source;
}

/** English country names, or undefined where the browser has none to give. */
export function regionNames(): Intl.DisplayNames | undefined {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' });
  } catch {
    return undefined;
  }
}

/**
 * A country as a person reads it: its English name with the code kept (`Germany (DE)`), the
 * code alone where no name is known (or `names` throws on it), `other` in words.
 */
export function countryLabel(
  code: string,
  names: Pick<Intl.DisplayNames, 'of'> | undefined,
): string {
  if (code === OTHER) return 'Other';
  try {
    const name = names?.of(code);
    if (name && name !== code) return `${name} (${code})`;
  } catch {
    // Not a code DisplayNames knows the shape of: the code is all there is to show.
  }
  return code;
}

/** One row of a breakdown: what it is called, its numbers, and its bar's length (0–1). */
export interface BreakdownRow {
  readonly label: string;
  readonly visitors: number;
  readonly views: number;
  /** Views as a share of the most viewed row's. */
  readonly share: number;
}

/**
 * A breakdown's rows, in the API's order (most viewed first), named by `label`; undefined when
 * the API sent no such list (an older API), so the page shows nothing for it. Entries that are
 * not a name with counts are left out rather than drawn as `undefined`.
 */
export function breakdownRows(
  entries: unknown,
  key: 'source' | 'country',
  label: (name: string) => string,
): BreakdownRow[] | undefined {
  if (!Array.isArray(entries)) return undefined;
  const rows = entries.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { [key]: name, views, visitors } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !isCount(views) || !isCount(visitors)) return [];
    return [{ label: label(name), visitors, views }];
  });
  const most = Math.max(0, ...rows.map((row) => row.views));
  return rows.map((row) => ({ ...row, share: most > 0 ? row.views / most : 0 }));
}
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;

async function getJson<T>(win: Window, path: string): Promise<T> {
  const res = await win.fetch(new URL(path, win.location.origin), {
    headers: { accept: 'application/json' },
    credentials: 'omit',
  });
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return (await res.json()) as T;
}

function svgElement(doc: Document, name: string, attributes: Record<string, string>) {
  const element = doc.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  return element;
}

/** The chart: visitors and views per day, with the highest value marked on the axis. */
export function drawChart(doc: Document, container: Element, stats: Stats): void {
  const width = 600;
  const height = 200;
  const max = Math.max(1, ...stats.days.map((d) => Math.max(d.views, d.visitors)));
  const svg = svgElement(doc, 'svg', {
    viewBox: `-40 -10 ${width + 50} ${height + 30}`,
    class: 'chart-svg',
    role: 'img',
    'aria-label': `Visitors and views per day from ${stats.from} to ${stats.to}; at most ${format(max)} a day. The table below has every number.`,
  });
  svg.append(
    svgElement(doc, 'line', {
      x1: '0',
      y1: String(height),
      x2: String(width),
      y2: String(height),
      class: 'axis',
    }),
    svgElement(doc, 'line', { x1: '0', y1: '0', x2: '0', y2: String(height), class: 'axis' }),
  );
  const label = (text: string, x: number, y: number, anchor: string) => {
    const t = svgElement(doc, 'text', {
      x: String(x),
      y: String(y),
      'text-anchor': anchor,
      class: 'axis-label',
    });
    t.textContent = text;
    return t;
  };
  svg.append(
    label(format(max), -6, 4, 'end'),
    label('0', -6, height, 'end'),
    label(stats.from, 0, height + 18, 'start'),
    label(stats.to, width, height + 18, 'end'),
  );
  for (const metric of ['views', 'visitors'] as const) {
    svg.append(
      svgElement(doc, 'polyline', {
        points: linePoints(
          stats.days.map((d) => d[metric]),
          width,
          height,
          max,
        ),
        class: `line line-${metric}`,
        'data-metric': metric,
      }),
    );
  }
  container.replaceChildren(svg);
}

function sparkline(doc: Document, days: readonly Day[]): SVGElement {
  const width = 100;
  const height = 24;
  const max = Math.max(1, ...days.map((d) => d.views));
  const svg = svgElement(doc, 'svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'sparkline',
    'aria-hidden': 'true',
  });
  svg.append(
    svgElement(doc, 'polyline', {
      points: linePoints(
        days.map((d) => d.views),
        width,
        height - 2,
        max,
      ),
      class: 'line line-views',
    }),
  );
  return svg;
}

function row(doc: Document, cells: (string | Node)[]): HTMLTableRowElement {
  const tr = doc.createElement('tr');
  cells.forEach((cell, i) => {
    const td = doc.createElement(i === 0 ? 'th' : 'td');
    if (i === 0) td.setAttribute('scope', 'row');
    td.append(cell);
    tr.append(td);
  });
  return tr;
}

/**
 * Fills a breakdown's section (its table, or "None yet" when there are no rows) and shows it;
 * leaves it hidden when there is nothing to show (`undefined`). A bar's length is a custom
 * property set through the CSSOM, which the CSP (`style-src 'self'`, no `unsafe-inline`)
 * allows: it refuses `<style>` elements and style attributes (in markup or by setAttribute),
 * not the CSSOM's setters.
 */
export function drawBreakdown(
  doc: Document,
  section: HTMLElement,
  rows: readonly BreakdownRow[] | undefined,
): void {
  if (!rows) return;
  const table = section.querySelector('table');
  const none = section.querySelector<HTMLElement>('.none');
  if (table) table.hidden = rows.length === 0;
  if (none) none.hidden = rows.length > 0;
  table?.tBodies[0]?.replaceChildren(
    ...rows.map((r) => {
      const name = doc.createDocumentFragment();
      const bar = doc.createElement('span');
      bar.className = 'bar';
      bar.setAttribute('aria-hidden', 'true');
      bar.style.setProperty('--share', String(r.share));
      name.append(r.label, bar);
      return row(doc, [name, format(r.visitors), format(r.views)]);
    }),
  );
  section.hidden = false;
}

/** Fills the stats page; on any failure says so in words, never half a chart. */
export async function mountStats(doc: Document, win: Window): Promise<void> {
  const main = doc.getElementById('content');
  const summary = doc.getElementById('summary');
  const days = periodFrom(win.location.search);
  for (const link of doc.querySelectorAll<HTMLAnchorElement>('[data-days]')) {
    if (Number(link.dataset.days) === days) link.setAttribute('aria-current', 'page');
  }
  const period = doc.getElementById('period');
  if (period) period.textContent = `last ${days} days`;
  try {
    const [site, list] = await Promise.all([
      getJson<Stats>(win, `/api/stats?days=${days}`),
      getJson<{ pages: PageRow[]; total: number; truncated: boolean }>(win, '/api/pages'),
    ]);
    const chart = doc.getElementById('chart');
    if (chart) drawChart(doc, chart, site);
    if (summary) {
      summary.textContent = `${format(site.totals.visitors)} visitors and ${format(site.totals.views)} views from ${site.from} to ${site.to}. Bots: ${format(site.totals.bots)} requests, ${botShare(site.totals)} of all.`;
    }
    doc
      .querySelector('#days tbody')
      ?.replaceChildren(
        ...site.days.map((d) =>
          row(doc, [d.date, format(d.visitors), format(d.views), format(d.bots)]),
        ),
      );
    const sources = doc.getElementById('sources');
    if (sources) drawBreakdown(doc, sources, breakdownRows(site.sources, 'source', sourceLabel));
    const countries = doc.getElementById('countries');
    if (countries) {
      const names = regionNames();
      drawBreakdown(
        doc,
        countries,
        breakdownRows(site.countries, 'country', (code) => countryLabel(code, names)),
      );
    }
    const histories = await Promise.all(
      list.pages
        .slice(0, SPARKLINES)
        .map((p) =>
          getJson<Stats>(win, `/api/stats?page=${encodeURIComponent(p.page)}&days=${days}`),
        ),
    );
    doc.querySelector('#pages tbody')?.replaceChildren(
      ...list.pages.map((p, i) => {
        const history = histories[i];
        return row(doc, [
          p.page,
          format(p.visitors),
          format(p.views),
          history ? sparkline(doc, history.days) : '',
        ]);
      }),
    );
    if (list.truncated) {
      const note = doc.createElement('p');
      note.textContent = `The ${list.pages.length} most viewed of ${format(list.total)} pages.`;
      doc.getElementById('pages')?.after(note);
    }
  } catch {
    if (summary) summary.textContent = 'The numbers are unavailable just now; try again shortly.';
  } finally {
    main?.removeAttribute('aria-busy');
    doc.body.dataset.state = 'ready';
  }
}
