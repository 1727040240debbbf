/**
 * The visitor-count widget: counts this visit once per browser session, then shows the total.
 * Pure logic here, with its dependencies passed in, so it runs the same in tests and pages;
 * `main.ts` wires it to the document.
 */

/** How long the widget waits for the API before showing the fallback. */
export const TIMEOUT_MS = 5_000;

export interface CountRequest {
  /** Base URL the API lives under, e.g. `https://me.example/` (`api/count` is appended). */
  readonly apiBase: string;
  /** The page to count: `location.pathname`. */
  readonly page: string;
  readonly fetch: typeof fetch;
  /** Where "already counted in this session" is remembered; `undefined` when unavailable. */
  readonly storage: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  readonly timeoutMs?: number;
}

const countedKey = (page: string) => `footfall:counted:${page}`;

/**
 * POSTs (counts) on the first load of a page in this browser session and GETs on later ones;
 * resolves to the page's views, rejects on any failure (network, timeout, non-2xx, bad body).
 */
export async function loadViews(request: CountRequest): Promise<number> {
  const counted = read(request.storage, countedKey(request.page)) === '1';
  const base = request.apiBase.endsWith('/') ? request.apiBase : `${request.apiBase}/`;
  const url = new URL(`api/count?page=${encodeURIComponent(request.page)}`, base);

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
    const views: unknown = ((await response.json()) as { views?: unknown } | null)?.views;
    if (typeof views !== 'number' || !Number.isSafeInteger(views) || views < 0) {
      throw new Error('count API answered without a count');
    }
    if (!counted) write(request.storage, countedKey(request.page), '1');
    return views;
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

/** Fills `#visitor-count`; never throws, never shows anything but a number or a dash. */
export async function mount(doc: Document, win: Window): Promise<void> {
  const element = doc.getElementById('visitor-count');
  if (!element) return;
  try {
    const views = await loadViews({
      apiBase: apiBaseFrom(doc, win.location.origin),
      page: win.location.pathname,
      fetch: win.fetch.bind(win),
      storage: sessionStorageOf(win),
    });
    element.textContent = formatViews(views);
    element.dataset.state = 'ready';
  } catch {
    element.textContent = '–';
    const label = doc.createElement('span');
    label.className = 'visually-hidden';
    label.textContent = ' (visitor count unavailable)';
    element.append(label);
    element.title = 'Visitor count unavailable';
    element.dataset.state = 'unavailable';
  }
}

// Storage can be missing or throw (disabled cookies, some private modes): then every load counts.
function sessionStorageOf(win: Window): Storage | undefined {
  try {
    return win.sessionStorage;
  } catch {
    return undefined;
  }
}
function read(storage: CountRequest['storage'], key: string): string | null {
  try {
    return storage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}
function write(storage: CountRequest['storage'], key: string, value: string): void {
  try {
    storage?.setItem(key, value);
  } catch {
    // Not remembered: the next load counts again, which is the lesser harm.
  }
}
