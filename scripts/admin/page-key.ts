import { parseOrigin } from '../../service/src/config.js';
import { validatePage } from '../../service/src/domain/page.js';
import { OWN_SITE, siteTotal } from '../../service/src/domain/scope.js';

export type PageKeyResult = { ok: true; page: string } | { ok: false; message: string };

/**
 * A page as the admin CLI names it, which is also how it is keyed (`scope.ts`): a path for the
 * resume's own pages (`/about`), the full URL for a page of an allowed site
 * (`https://blog.example/about`). With `siteTotals`, a site's own totals key (`*`,
 * `https://blog.example*`) is accepted too: export files hold the days of those.
 */
export function parsePageKey(raw: string, { siteTotals = false } = {}): PageKeyResult {
  if (raw.startsWith('/')) return validatePage(raw);
  if (siteTotals && raw === siteTotal(OWN_SITE)) return { ok: true, page: raw };
  const scheme = raw.indexOf('://');
  const pathStart = scheme === -1 ? -1 : raw.indexOf('/', scheme + 3);
  const total = siteTotals && raw.endsWith('*') && pathStart === -1;
  const origin = total ? raw.slice(0, -1) : pathStart === -1 ? raw : raw.slice(0, pathStart);
  try {
    if (parseOrigin(origin) !== origin) throw new Error();
  } catch {
    return {
      ok: false,
      message: `${JSON.stringify(raw)} is not a page: give a path (/about) or a page of an allowed site (https://blog.example/about)`,
    };
  }
  if (total) return { ok: true, page: raw };
  if (pathStart === -1) {
    return {
      ok: false,
      message: `${JSON.stringify(raw)} names a site, not a page: add its path (${raw}/)`,
    };
  }
  const path = validatePage(raw.slice(pathStart));
  return path.ok ? { ok: true, page: raw } : path;
}
