/**
 * The visitor-count widget: counts this visit once per browser session (unless this browser is
 * the owner's, flagged with `#footfall-ignore`), then shows the page's visitors (or views).
 * Pure logic here, with its dependencies passed in, so it runs the same in tests and pages;
 * `main.ts` wires it to the document.
 */

/** How long the widget waits for the API before showing the fallback. */
export const TIMEOUT_MS = 5_000;

/** A page's counts, as the API answers them. */
export interface Counts {
  readonly views: number;
  readonly visitors: number;
  readonly bots: number;
}

/** Which number the widget shows: `<meta name="footfall-show" content="views">`. */
export type Metric = 'visitors' | 'views';

type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface CountRequest {
  /** Base URL the API lives under, e.g. `https://me.example/` (`api/count` is appended). */
  readonly apiBase: string;
  /** The page to count: `location.pathname`. */
  readonly page: string;
  readonly fetch: typeof fetch;
  /** Where "already counted in this session" is remembered; `undefined` when unavailable. */
  readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  /** This browser is not counted: only read. */
  readonly ignored?: boolean;
  /** The application link the page was opened by (`?via=SLUG`), sent with the count. */
  readonly via?: string | undefined;
  /** `document.referrer`, sent with the count; the API keeps only a source name of it. */
  readonly referrer?: string | undefined;
  readonly timeoutMs?: number;
}

const countedKey = (page: string) => `footfall:counted:${page}`;
/** Longer referrers are not sent (the API ignores them). */
const MAX_REFERRER_LENGTH = 2048;

/** The slug of `?via=SLUG` in a page's query, if it is one. */
export function viaFrom(search: string): string | undefined {
  const via = new URLSearchParams(search).get('via') ?? '';
  return /^[a-z0-9-]{1,40}$/.test(via) ? via : undefined;
}
/** localStorage: this browser asked not to be counted. */
export const IGNORE_KEY = 'footfall:ignore';

/**
 * POSTs (counts) on the first load of a page in this browser session and GETs on later ones,
 * or always GETs in an ignored browser; resolves to the page's counts, rejects on any failure
 * (network, timeout, non-2xx, bad body).
 */
export async function loadCounts(request: CountRequest): Promise<Counts> {
  const counted = request.ignored || read(request.storage, countedKey(request.page)) === '1';
  const base = request.apiBase.endsWith('/') ? request.apiBase : `${request.apiBase}/`;
  const url = new URL(`api/count?page=${encodeURIComponent(request.page)}`, base);
  if (!counted) {
    if (request.via) url.searchParams.set('via', request.via);
    if (request.referrer && request.referrer.length <= MAX_REFERRER_LENGTH) {
      url.searchParams.set('ref', request.referrer);
    }
  }

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), request.timeoutMs ?? TIMEOUT_MS);
  try {
    const response = await request.fetch(url, {
      method: counted ? 'GET' : 'POST',
      headers: { accept: 'application/json' },
      credentials: 'omit',
      signal: controller.signal,
    });
    if (!response.ok) throw new Error(`count API answered ${response.status}`);
    const body = (await response.json()) as Partial<Record<keyof Counts, unknown>> | null;
    const counts = { views: body?.views, visitors: body?.visitors, bots: body?.bots };
    for (const value of Object.values(counts)) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
        throw new Error('count API answered without a count');
      }
    }
    if (!counted) write(request.storage, countedKey(request.page), '1');
    return counts as Counts;
  } finally {
    clearTimeout(timer);
  }
}

/** `1234567` → `1,234,567` (or the locale's own grouping). */
export function formatViews(views: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(views);
}

/** The API base: `<meta name="footfall-api" content="https://…">` if present, else this origin. */
export function apiBaseFrom(doc: Document, origin: string): string {
  const configured = doc
    .querySelector<HTMLMetaElement>('meta[name="footfall-api"]')
    ?.content?.trim();
  return configured ? configured : origin;
}

/** The number to show: visitors, unless `<meta name="footfall-show" content="views">`. */
export function metricFrom(doc: Document): Metric {
  const show = doc.querySelector<HTMLMetaElement>('meta[name="footfall-show"]')?.content?.trim();
  return show === 'views' ? 'views' : 'visitors';
}

/**
 * Applies `#footfall-ignore` (stop counting this browser) or `#footfall-count` (count it again)
 * to localStorage; says whether this browser is ignored, and what changed on this visit.
 */
export function ignoreFlag(
  hash: string,
  storage: Store | undefined,
): { ignored: boolean; changed?: 'ignored' | 'counted' } {
  if (hash === '#footfall-ignore') {
    write(storage, IGNORE_KEY, '1');
    return { ignored: true, changed: 'ignored' };
  }
  if (hash === '#footfall-count') {
    try {
      storage?.removeItem(IGNORE_KEY);
    } catch {
      // Nothing was stored, or nothing can be.
    }
    return { ignored: false, changed: 'counted' };
  }
  return { ignored: read(storage, IGNORE_KEY) === '1' };
}

const NOTICE = {
  ignored: 'footfall: this browser is no longer counted (add #footfall-count to undo).',
  counted: 'footfall: this browser is counted again.',
} as const;

/** Fills `#visitor-count`; never throws, never shows anything but a number or a dash. */
export async function mount(doc: Document, win: Window): Promise<void> {
  const element = doc.getElementById('visitor-count');
  if (!element) return;
  const metric = metricFrom(doc);
  const label = doc.getElementById('visitor-count-label');
  if (label && metric === 'views') {
    label.textContent = 'Views';
    label.title = 'Visits to this page, a browser session counted once';
  }
  const flag = ignoreFlag(win.location.hash, storageOf(win, 'localStorage'));
  if (flag.changed) {
    // Said once, on the visit that changed it.
    const notice = doc.createElement('span');
    notice.className = 'footfall-notice';
    notice.setAttribute('role', 'status');
    notice.textContent = ` ${NOTICE[flag.changed]}`;
    element.after(notice);
  }
  try {
    const counts = await loadCounts({
      apiBase: apiBaseFrom(doc, win.location.origin),
      page: win.location.pathname,
      fetch: win.fetch.bind(win),
      storage: storageOf(win, 'sessionStorage'),
      ignored: flag.ignored,
      via: viaFrom(win.location.search),
      referrer: doc.referrer,
    });
    element.textContent = formatViews(counts[metric]);
    element.dataset.state = 'ready';
  } catch {
    element.textContent = '–';
    const unavailable = doc.createElement('span');
    unavailable.className = 'visually-hidden';
    unavailable.textContent = ' (visitor count unavailable)';
    element.append(unavailable);
    element.title = 'Visitor count unavailable';
    element.dataset.state = 'unavailable';
  }
}

// Storage can be missing or throw (disabled cookies, some private modes): then every load counts.
function storageOf(win: Window, kind: 'sessionStorage' | 'localStorage'): Storage | undefined {
  try {
    return win[kind];
  } catch {
    return undefined;
  }
}
function read(storage: Pick<Storage, 'getItem'> | undefined, key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
function write(storage: Pick<Storage, 'setItem'> | undefined, key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Not remembered: the next load counts again, which is the lesser harm.
  }
}
