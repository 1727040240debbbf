/**
 * Where a visit came from, reduced at once to a source name: `linkedin.com`, `google`,
 * `news.ycombinator.com`, `direct`. A page sends its `document.referrer` as `ref`; only the
 * name taken from it is kept, never the URL (its path and query can name a person, a search or
 * a private document).
 */

/**
 * The longest `ref` looked at, in characters. Browsers send `document.referrer` as a plain
 * ASCII URL and, by default (`strict-origin-when-cross-origin`), only the origin of another
 * site, so a real one is short; anything longer is ignored without being parsed.
 */
export const MAX_REF_LENGTH = 2048;

/** The longest source name kept, in characters; a longer host is ignored. */
export const MAX_SOURCE_LENGTH = 64;

/** The source of a visit with no referrer, or one from the site itself. */
export const DIRECT = 'direct';

// The tables below name hosts without `www.`, which is removed before a host is looked up.

/**
 * Hosts that are a source under another name: short links, redirectors and mobile hosts of a
 * site, and search engines known by their name rather than their host.
 */
const HOST_SOURCES: ReadonlyMap<string, string> = new Map([
  // LinkedIn's short links (every post's links go through lnkd.in).
  ['lnkd.in', 'linkedin.com'],
  // X: t.co wraps every link in a post; twitter.com is its old name.
  ['t.co', 'x.com'],
  // Facebook's short links (its link shim, l. and lm., is covered by the domain below).
  ['fb.me', 'facebook.com'],
  // Gmail's web app; the rest of google.com is not a search (docs.google.com stays as it is).
  ['mail.google.com', 'gmail'],
  // Search engines.
  ['bing.com', 'bing'],
  ['cn.bing.com', 'bing'],
  ['baidu.com', 'baidu'],
  ['m.baidu.com', 'baidu'],
  ['ecosia.org', 'ecosia'],
  ['search.brave.com', 'brave'],
  ['kagi.com', 'kagi'],
]);

/**
 * Domains that are one source with every host under them: the domain, then the source.
 * A social site's hosts (its link shim, mobile and old versions) all mean the site.
 */
const DOMAIN_SOURCES: readonly (readonly [domain: string, source: string])[] = [
  ['linkedin.com', 'linkedin.com'],
  ['twitter.com', 'x.com'],
  ['x.com', 'x.com'],
  ['facebook.com', 'facebook.com'],
  ['instagram.com', 'instagram.com'],
  ['reddit.com', 'reddit.com'],
  // Search engines whose every host is their search (html., lite., eu., us.…).
  ['duckduckgo.com', 'duckduckgo'],
  ['startpage.com', 'startpage'],
  ['qwant.com', 'qwant'],
  // Yahoo's search and its country versions (uk.search.yahoo.com…); yahoo.com itself is not.
  ['search.yahoo.com', 'yahoo'],
];

/**
 * Search engines with a domain in every country: `google.com`, `google.de`, `google.co.uk`,
 * `google.com.au`; `yandex.ru`, `yandex.com.tr`. Only the engine's own host (with or without
 * `www.`) is its search: other hosts under it (docs.google.com) stay as they are.
 */
const COUNTRY_DOMAIN_ENGINES: readonly (readonly [label: string, source: string])[] = [
  ['google', 'google'],
  ['yandex', 'yandex'],
];

/**
 * Android apps, by package name: an app that opens a link in a browser tab is the referrer
 * `android-app://<package>/`. Other apps are ignored, as they name no site.
 */
const ANDROID_APP_SOURCES: ReadonlyMap<string, string> = new Map([
  ['com.linkedin.android', 'linkedin.com'],
  ['com.twitter.android', 'x.com'],
  ['com.facebook.katana', 'facebook.com'],
  ['com.reddit.frontpage', 'reddit.com'],
  ['com.google.android.gm', 'gmail'],
  // The Google app (search and Discover).
  ['com.google.android.googlequicksearchbox', 'google'],
]);

const SCHEMES = ['http://', 'https://', 'android-app://'] as const;

// What `document.referrer` is made of: a serialized URL is printable ASCII, with no spaces.
const PRINTABLE_ASCII = /^[\x21-\x7e]+$/;

// One DNS label: letters, digits and inner hyphens.
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
// A top-level domain: letters only, or an internationalised one in punycode.
const TOP_LEVEL = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
// The country part of a search engine's domain: `de`, `com`, `co.uk`, `com.au`.
const COUNTRY_SUFFIX = /^(?:com?\.)?[a-z]{2,3}$/;

/**
 * The source a visit came from, given the page's `document.referrer` and the origins of the
 * site itself (`https://resume.example.com`):
 * - no referrer, or one from the site itself: `direct`;
 * - a search engine: its name (`google`, `bing`, `duckduckgo`…);
 * - a known app or short link: the site it belongs to (`lnkd.in` and the LinkedIn app are
 *   `linkedin.com`, `t.co` is `x.com`);
 * - any other web page: its host, lower-cased, without port and without a leading `www.`;
 * - anything else (not an http, https or android-app URL, longer than `MAX_REF_LENGTH`, a
 *   host that is not a domain name, an unknown app): `undefined`, to be ignored.
 *
 * The result never holds a path, a query or user info. It never throws.
 */
export function sourceOf(
  ref: string | undefined,
  ownOrigins: ReadonlySet<string> | readonly string[],
): string | undefined {
  if (ref === undefined || ref === '') return DIRECT;
  if (ref.length > MAX_REF_LENGTH || !PRINTABLE_ASCII.test(ref)) return undefined;
  const lower = ref.slice(0, 'android-app://'.length).toLowerCase();
  if (!SCHEMES.some((scheme) => lower.startsWith(scheme))) return undefined;

  let url: URL;
  try {
    url = new URL(ref);
  } catch {
    return undefined;
  }

  if (url.protocol === 'android-app:') {
    return ANDROID_APP_SOURCES.get(url.hostname.toLowerCase());
  }
  if (isOwnOrigin(url.origin, ownOrigins)) return DIRECT;

  const host = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
  const name = host.startsWith('www.') ? host.slice('www.'.length) : host;
  if (!isDomainName(name)) return undefined;
  const source = sourceOfHost(name);
  return source.length <= MAX_SOURCE_LENGTH ? source : undefined;
}

/** The source a host (lower-case, without `www.`) stands for. */
function sourceOfHost(host: string): string {
  const named = HOST_SOURCES.get(host);
  if (named !== undefined) return named;
  for (const [domain, source] of DOMAIN_SOURCES) {
    if (host === domain || host.endsWith(`.${domain}`)) return source;
  }
  for (const [label, source] of COUNTRY_DOMAIN_ENGINES) {
    if (host.startsWith(`${label}.`) && COUNTRY_SUFFIX.test(host.slice(label.length + 1))) {
      return source;
    }
  }
  return host;
}

/**
 * A host name of two or more DNS labels ending in an alphabetic top-level domain. IP
 * addresses, single-label (intranet) names and names with other characters are not sources.
 */
function isDomainName(host: string): boolean {
  if (host.length > 253) return false;
  const labels = host.split('.');
  const top = labels.at(-1) ?? '';
  return (
    labels.length >= 2 &&
    TOP_LEVEL.test(top) &&
    labels.every((label) => label.length <= 63 && LABEL.test(label))
  );
}

/** Whether `origin` is one of the site's own, which may differ in case or a final `/`. */
function isOwnOrigin(origin: string, ownOrigins: ReadonlySet<string> | readonly string[]): boolean {
  for (const own of ownOrigins) {
    if (own === origin || normalizedOrigin(own) === origin) return true;
  }
  return false;
}

function normalizedOrigin(origin: string): string | undefined {
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}
