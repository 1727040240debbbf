/** The longest page key accepted, in characters (Unicode code points). */
export const MAX_PAGE_LENGTH = 256;
/**
 * ... and in bytes of UTF-8: a page's counter holds its key three times (its own key, its name,
 * the by-site index's key), and must stay under 1 KB, one write unit (ADR 12). ASCII keys of 256
 * characters fit; keys in other scripts fit fewer characters.
 */
export const MAX_PAGE_BYTES = 256;

/** The page counted when a request names none. */
export const DEFAULT_PAGE = '/';

export type PageResult = { ok: true; page: string } | { ok: false; message: string };
export type OptionalPageResult =
  | { ok: true; page: string | undefined }
  | { ok: false; message: string };

// Unicode category Cc: C0 controls, DEL and the C1 controls.
const CONTROL_CHARACTER = /\p{Cc}/u;
// Characters that change how a key looks without being seen: Cf (zero-width spaces and joiners,
// bidi embeddings, overrides and isolates, the BOM, soft hyphen…) and the line and paragraph
// separators (Zl, Zp).
const INVISIBLE_CHARACTER = /[\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * Reads the `page` query parameter from a raw query string (what follows `?`, without `#`).
 *
 * It works on the raw string rather than on URLSearchParams, which silently keeps malformed
 * percent-escapes such as `%E0%A4%A` as literal text: a key that cannot be decoded is rejected,
 * not stored under a garbled name.
 */
export function parsePage(rawQuery: string): PageResult {
  const result = parseOptionalPage(rawQuery);
  return result.ok && result.page === undefined
    ? { ok: true, page: DEFAULT_PAGE }
    : (result as PageResult);
}

/** Like `parsePage`, but a query without `page` gives `undefined` (the whole site, for stats). */
export function parseOptionalPage(rawQuery: string): OptionalPageResult {
  const values: (string | undefined)[] = [];
  for (const pair of rawQuery.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawName = separator === -1 ? pair : pair.slice(0, separator);
    const name = decodeQueryComponent(rawName);
    if (name === 'page') values.push(separator === -1 ? '' : pair.slice(separator + 1));
  }

  if (values.length === 0) return { ok: true, page: undefined };
  if (values.length > 1) return { ok: false, message: 'page must be given at most once' };

  const page = decodeQueryComponent(values[0] ?? '');
  if (page === undefined) {
    return { ok: false, message: 'page is not valid percent-encoded UTF-8' };
  }
  return validatePage(page);
}

/** The raw query string of a request URL: what follows `?`, undecoded. */
export function rawQueryOf(url: string): string {
  const start = url.indexOf('?');
  return start === -1 ? '' : url.slice(start + 1);
}

/** Checks a decoded page key against the API contract. */
export function validatePage(page: string): PageResult {
  if (page === '') return { ok: false, message: 'page must not be empty' };
  if (!page.startsWith('/')) return { ok: false, message: "page must start with '/'" };
  if (CONTROL_CHARACTER.test(page)) {
    return { ok: false, message: 'page must not contain control characters' };
  }
  if (INVISIBLE_CHARACTER.test(page)) {
    return {
      ok: false,
      message: 'page must not contain invisible or direction-changing characters',
    };
  }
  // Count code points, not UTF-16 units, so an emoji counts as one character.
  let length = 0;
  for (const _ of page) {
    if (++length > MAX_PAGE_LENGTH) {
      return { ok: false, message: `page must be at most ${MAX_PAGE_LENGTH} characters` };
    }
  }
  const bytes = Buffer.byteLength(page);
  if (bytes > MAX_PAGE_BYTES) {
    return {
      ok: false,
      message: `page must be at most ${MAX_PAGE_BYTES} bytes of UTF-8 (this one is ${bytes})`,
    };
  }
  return { ok: true, page };
}

/** application/x-www-form-urlencoded decoding; `undefined` when the escapes are malformed. */
function decodeQueryComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replaceAll('+', ' '));
  } catch {
    return undefined;
  }
}
