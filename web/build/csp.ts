/**
 * The page's Content-Security-Policy: only its own scripts, styles and API. No inline script or
 * style anywhere, so nothing injected into the page can run. Sent by the dev server and by
 * CloudFront in production.
 *
 * @param apiOrigins origins of a cross-origin counter API (`<meta name="footfall-api">`), if any
 */
export function contentSecurityPolicy(apiOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src ${["'self'", ...apiOrigins].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
