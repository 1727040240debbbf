import { createHash } from 'node:crypto';

/**
 * The folder of the pinned widget: each build writes the widget there under a name derived from
 * its bytes, never overwritten and never deleted (old ones stay for the sites pinned to them).
 * The dev server and CloudFront serve this folder, and only it, with
 * `Access-Control-Allow-Origin: *` and a year of immutable caching.
 */
export const PINNED_WIDGET_DIR = 'widget';

/** The site's address in the snippet when the build is not told it. */
export const SITE_PLACEHOLDER = 'https://YOUR-SITE';

export interface PinnedWidget {
  /** Site path, `/widget/footfall-widget.<first 16 hex digits of its SHA-384>.js`. */
  readonly path: string;
  /** Subresource Integrity of the exact bytes served: `sha384-<base64>`. */
  readonly integrity: string;
}

/** The pinned name and the integrity value of a widget's bytes (one SHA-384 for both). */
export function pinWidget(bytes: Uint8Array): PinnedWidget {
  const digest = createHash('sha384').update(bytes).digest();
  return {
    path: `/${PINNED_WIDGET_DIR}/footfall-widget.${digest.toString('hex').slice(0, 16)}.js`,
    integrity: `sha384-${digest.toString('base64')}`,
  };
}

/**
 * `https://me.example` from what a person typed (`https://me.example/` too); refuses anything but
 * an http(s) origin, so the snippet needs no escaping.
 */
export function siteOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`"${raw}" is not a URL: give the site's address, e.g. https://me.example`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin === 'null') {
    throw new Error(`"${raw}" must be an http:// or https:// address`);
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new Error(`"${raw}" must be the site's origin alone, e.g. ${url.origin}`);
  }
  return url.origin;
}

/**
 * What another site pastes to show the count: where the API is, where the number goes, and the
 * pinned widget with its integrity. `crossorigin="anonymous"` makes the browser fetch it with
 * CORS (and no cookies), which integrity needs for a script from another origin.
 */
export function embedSnippet(widget: PinnedWidget, site: string = SITE_PLACEHOLDER): string {
  const origin = site === SITE_PLACEHOLDER ? site : siteOrigin(site);
  return [
    `<meta name="footfall-api" content="${origin}">`,
    '<p>Visitors: <span id="visitor-count">…</span></p>',
    `<script src="${origin}${widget.path}" integrity="${widget.integrity}" crossorigin="anonymous" defer></script>`,
    '',
  ].join('\n');
}
