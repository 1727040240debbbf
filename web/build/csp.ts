/**
 * The page's Content-Security-Policy: only its own scripts, styles and API. No inline script or
 * style anywhere, so nothing injected into the page can run. Sent by the dev server and by
 * CloudFront in production.
 *
 * @param apiOrigins where the page itself fetches from besides its own origin: a cross-origin
 *   counter API named by `<meta name="footfall-api">`, if the page has one. Never the origins
 *   allowed to embed the counter (`ALLOWED_ORIGINS`): those are CORS's business.
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
